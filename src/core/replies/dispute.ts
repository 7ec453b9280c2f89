import type { PhraseRule } from './text.js';

/**
 * Disputes: the customer contests what is owed. One row per kind and locale: wrong amount, goods
 * not received, already returned, damaged or defective, not ordered, and a plain "we dispute".
 * Patterns want the negation or the complaint itself, so "we received the goods, thanks" and
 * "the amount is correct" are not disputes.
 */

export const DISPUTE_RULES: readonly PhraseRule[] = [
  // en
  {
    id: 'dispute.en.wrong-amount',
    locale: 'en',
    pattern:
      /\b(?:wrong|incorrect|inaccurate) (?:amount|total|price|prices|invoice|charge|charges|quantity|vat|rate)\b|\b(?:amount|total|price|invoice|charge|bill)s?\b[^.!?\n]{0,40}?\b(?:is|are|seems?|looks?) (?:wrong|incorrect|too high|not right)\b|\bover-?charged\b|\b(?:charged|billed|invoiced) (?:us |me )?(?:twice|double|too much)\b|\bdouble[- ]?(?:billed|charged|invoiced)\b|\bdoes(?: not|n't) match (?:our|the) (?:order|quote|purchase order|po|contract)\b/,
    reason: 'Says the amount or invoice is wrong',
  },
  {
    id: 'dispute.en.not-received',
    locale: 'en',
    pattern:
      /\b(?:never|not|haven't|have not|hasn't|has not|didn't|did not|still not|yet to)\s+(?:yet\s+)?(?:been\s+)?(?:received|receive|got|get|delivered)\s+(?:the |our |any |these |this )?(?:goods|order|items|products|delivery|shipment|parcel|package|service|equipment)\b|\b(?:goods|order|items|products|delivery|shipment|parcel|package)\s+(?:(?:were|was|have|has)\s+)?(?:never|not)\s+(?:been\s+)?(?:received|delivered|arrived|arrive|shipped)\b|\b(?:goods|order|items|products|delivery|shipment|parcel|package)\s+(?:never|still (?:hasn't|has not|haven't|have not))\s+(?:arrived|come|been delivered)\b/,
    reason: 'Says the goods or service were not received',
  },
  {
    id: 'dispute.en.returned',
    locale: 'en',
    pattern:
      /\b(?:already |we |i )(?:have )?returned (?:the |all |these |those |our )?(?:goods|items|order|products|equipment|shipment|delivery)\b|\b(?:goods|items|order|products|equipment)\s+(?:were|was|have been|has been)\s+(?:already\s+)?returned\b|\bsent (?:them|it|the goods|the items|everything) back\b/,
    reason: 'Says the goods were returned',
  },
  {
    id: 'dispute.en.damaged',
    locale: 'en',
    pattern:
      /\b(?:arrived|were|was|are|is|came)\s+(?:badly\s+)?(?:damaged|broken|defective|faulty)\b|\b(?:damaged|defective|faulty|broken) (?:goods|items|products|on arrival|delivery|equipment)\b/,
    reason: 'Says the goods were damaged or defective',
  },
  {
    id: 'dispute.en.not-ordered',
    locale: 'en',
    pattern:
      /\b(?:we|i) (?:never|did not|didn't|have not|haven't) (?:ordered|order|placed (?:an|this|that) order|requested|agreed to)\b|\bnot (?:ordered|authori[sz]ed) by (?:us|me)\b|\bnever placed (?:an|this|that) order\b/,
    reason: 'Says the goods or service were not ordered',
  },
  {
    id: 'dispute.en.contest',
    locale: 'en',
    pattern:
      /\b(?:we|i) (?:dispute|contest|reject|do not accept|don't accept) (?:this|the|that|your|these)\b|\b(?:raise|open|raising|opening) a dispute\b|\bin dispute\b/,
    reason: 'Contests the invoice',
  },
  // ro
  {
    id: 'dispute.ro.wrong-amount',
    locale: 'ro',
    pattern:
      /\b(?:suma|valoarea|factura|pretul|totalul)\b[^.!?\n]{0,40}?\b(?:este |e )?(?:gresit[aă]?|incorect[aă]?|eronat[aă]?|prea mare)\b|\b(?:suma|factura|valoare) (?:gresita|incorecta|eronata)\b|\bne-?ati facturat (?:de doua ori|in plus|prea mult)\b|\bfacturat(?:a)? (?:de doua ori|dublu)\b/,
    reason: 'Says the amount or invoice is wrong (Romanian)',
  },
  {
    id: 'dispute.ro.not-received',
    locale: 'ro',
    pattern:
      /\bnu (?:am|a|au) (?:primit|ajuns|sosit)\b(?:\s+(?:inca|deloc|niciodata))?\s+(?:marfa|comanda|produsele|bunurile|coletul|livrarea|serviciul|nimic)\b|\b(?:marfa|comanda|produsele|bunurile|coletul|livrarea) nu (?:a|au) (?:fost livrat\w*|ajuns|sosit|fost primit\w*)/,
    reason: 'Says the goods or service were not received (Romanian)',
  },
  {
    id: 'dispute.ro.returned',
    locale: 'ro',
    pattern:
      /\b(?:am returnat|am trimis inapoi|am restituit)\b|\b(?:marfa|produsele|bunurile|comanda) (?:a|au) fost (?:deja )?(?:returnat\w*|restituit\w*)/,
    reason: 'Says the goods were returned (Romanian)',
  },
  {
    id: 'dispute.ro.damaged',
    locale: 'ro',
    pattern: /\b(?:deteriorat\w*|defect\w*|stricat\w*|avariat\w*)\b/,
    reason: 'Says the goods were damaged or defective (Romanian)',
  },
  {
    id: 'dispute.ro.not-ordered',
    locale: 'ro',
    pattern: /\bnu (?:am|noi am) (?:comandat|solicitat|cerut)\b/,
    reason: 'Says the goods or service were not ordered (Romanian)',
  },
  {
    id: 'dispute.ro.contest',
    locale: 'ro',
    pattern: /\b(?:contestam|contest|nu suntem de acord cu (?:factura|suma))\b/,
    reason: 'Contests the invoice (Romanian)',
  },
  // tr
  {
    id: 'dispute.tr.wrong-amount',
    locale: 'tr',
    pattern:
      /\b(?:yanlis|hatali|fazla) (?:tutar|fatura|fiyat|miktar)\w*|\b(?:tutar|fatura|fiyat|miktar)\w* (?:yanlis|hatali|fazla|eksik)\b|\biki kez faturalan\w*/,
    reason: 'Says the amount or invoice is wrong (Turkish)',
  },
  {
    id: 'dispute.tr.not-received',
    locale: 'tr',
    pattern:
      /\b(?:mal|mallar|urun|urunler|siparis|teslimat|kargo|hizmet)\w*\s+(?:henuz\s+|hala\s+)?(?:teslim\s+)?(?:almadik|alinmadi|alamadik|gelmedi|ulasmadi|edilmedi|yapilmadi)\b/,
    reason: 'Says the goods or service were not received (Turkish)',
  },
  {
    id: 'dispute.tr.returned',
    locale: 'tr',
    pattern: /\biade (?:ettik|edildi|etmistik|ettim)\b|\bgeri (?:gonderdik|yolladik)\b/,
    reason: 'Says the goods were returned (Turkish)',
  },
  {
    id: 'dispute.tr.damaged',
    locale: 'tr',
    pattern: /\b(?:hasarli|bozuk|kusurlu|arizali|defolu)\b/,
    reason: 'Says the goods were damaged or defective (Turkish)',
  },
  {
    id: 'dispute.tr.not-ordered',
    locale: 'tr',
    pattern: /\b(?:siparis|talep) (?:etmedik|vermedik|etmedim|vermedim)\b/,
    reason: 'Says the goods or service were not ordered (Turkish)',
  },
  {
    id: 'dispute.tr.contest',
    locale: 'tr',
    pattern: /\bitiraz (?:ediyoruz|ediyorum|ettik)\b|\bkabul etmiyoruz\b/,
    reason: 'Contests the invoice (Turkish)',
  },
  // zh-CN
  {
    id: 'dispute.zh-CN.wrong-amount',
    locale: 'zh-CN',
    pattern: /(?:金额|金額|发票|發票|价格|價格|账单|帳單)(?:有误|有誤|错误|錯誤|不对|不對|不正确|不符)|多收|重复收费|重複收費|重复开票/,
    reason: 'Says the amount or invoice is wrong (Chinese)',
  },
  {
    id: 'dispute.zh-CN.not-received',
    locale: 'zh-CN',
    pattern:
      /(?:没有|沒有|未|还没|還沒|尚未|没)(?:有)?(?:收到|收到过)(?:任何)?(?:货|貨|商品|产品|產品|订单|訂單|服务|服務)|(?:货物|貨物|商品|订单)(?:尚未|还没|没有|未)(?:到|送达|送到|到货)/,
    reason: 'Says the goods or service were not received (Chinese)',
  },
  {
    id: 'dispute.zh-CN.returned',
    locale: 'zh-CN',
    pattern: /已(?:经)?(?:退货|退貨|退回|寄回)/,
    reason: 'Says the goods were returned (Chinese)',
  },
  {
    id: 'dispute.zh-CN.damaged',
    locale: 'zh-CN',
    pattern: /损坏|損壞|破损|破損|有缺陷|质量问题|質量問題|次品/,
    reason: 'Says the goods were damaged or defective (Chinese)',
  },
  {
    id: 'dispute.zh-CN.not-ordered',
    locale: 'zh-CN',
    pattern: /(?:没有|沒有|从未|從未|未曾|并未)(?:订购|訂購|下单|下單|订过|訂過)/,
    reason: 'Says the goods or service were not ordered (Chinese)',
  },
  {
    id: 'dispute.zh-CN.contest',
    locale: 'zh-CN',
    pattern: /有异议|有異議|提出异议|不认可|不認可|争议|爭議/,
    reason: 'Contests the invoice (Chinese)',
  },
];
