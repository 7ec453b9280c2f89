import type { PhraseRule } from './text.js';

/**
 * Payment claims: the customer says the money has gone ("we paid last week", "payment was sent")
 * or sends a remittance advice. Past tense only, and not negated: "we have not paid yet",
 * "nu am plătit", "ödemedik" and "未付款" are not claims; "we will pay" is a promise.
 */

export const PAID_CLAIM_RULES: readonly PhraseRule[] = [
  {
    id: 'paid_claim.en.remittance',
    locale: 'en',
    pattern:
      /\b(?:remittance advice|payment advice|remittance (?:details|notification|slip)|proof of payment|payment confirmation|(?:bank |wire )?transfer confirmation|payment receipt)\b/,
    reason: 'Sends a remittance advice or proof of payment',
  },
  {
    id: 'paid_claim.en.paid',
    locale: 'en',
    pattern:
      /\b(?:we|i)(?:'ve| have| had)?\s+(?:already\s+|just\s+)?(?:paid|settled|transferred|wired|remitted)\b|\b(?:we|i)(?:'ve| have)?\s+(?:already\s+|just\s+)?(?:sent|made|initiated|processed|released|completed) (?:the |a |our |your |full )?(?:payment|transfer|remittance|funds|money)\b|\b(?:payment|transfer|remittance|invoice|balance|funds|money)s?\s+(?:was|were|has been|have been|had been)\s+(?:already\s+)?(?:paid|sent|made|settled|transferred|wired|processed|released|completed|remitted|initiated)\b|\balready (?:been )?paid\b|\bpaid (?:in full|it (?:last|yesterday|on)|last (?:week|month|friday|monday)|yesterday)\b/,
    reason: 'Says the payment was made',
  },
  {
    id: 'paid_claim.ro',
    locale: 'ro',
    pattern:
      /(?<!\bnu )\b(?:am|noi am|deja am|am deja)\s+(?:platit|achitat|virat|transferat|efectuat plata|facut plata|trimis plata)\b|\bplata (?:a fost|s-a) (?:deja )?(?:efectuat\w*|facut\w*|trimis\w*|realizat\w*|virat\w*|procesat\w*)|\b(?:factura|suma) (?:a fost|este) (?:deja )?(?:platit\w*|achitat\w*)|\b(?:ordin(?:ul)? de plata|dovada (?:de )?plat\w*|aviz(?:ul)? de plata|confirmare(?:a)? (?:de )?plat\w*)\b/,
    reason: 'Says the payment was made (Romanian)',
  },
  {
    id: 'paid_claim.tr',
    locale: 'tr',
    pattern:
      /\b(?:odedik|odedim|odemistik|odendi|odenmistir)\b|\bodeme(?:yi|miz)?\s+(?:yaptik|yapildi|yapilmistir|gonderdik|gonderildi|gerceklestirdik|gerceklestirildi|tamamlandi)\b|\b(?:havale|eft|transfer)(?:yi|i)?\s+(?:yaptik|yapildi|ettik|edildi|gerceklestirdik)\b|\b(?:dekont\w*|odeme bildirimi|havale bildirimi|odeme makbuzu)\b/,
    reason: 'Says the payment was made (Turkish)',
  },
  {
    id: 'paid_claim.zh-CN',
    locale: 'zh-CN',
    pattern:
      /已(?:经)?(?:于[^。！？\n]{0,12})?(?:付款|支付|汇款|匯款|转账|轉賬|打款|付清|结清|结算|付了)|(?:付款|汇款|转账|打款)已(?:完成|发出|汇出|到账|处理)|(?:上周|上週|昨天|前天|上个月)(?:已经?)?(?:付了|付款|支付|汇款|转账)|汇款(?:通知|凭证|單|单)|付款(?:凭证|憑證|通知|回单)|转账(?:凭证|回单|截图)|水单/,
    reason: 'Says the payment was made (Chinese)',
  },
];
