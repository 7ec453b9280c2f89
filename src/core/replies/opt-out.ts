import type { PhraseRule } from './text.js';

/**
 * Opt-outs: the customer asks us to stop writing (or texting). Patterns need the object of the
 * stopping to be us or our messages, so "we will stop the payment", "stop the direct debit",
 * "oprim plata", "ödemeyi durduracağız" and "停止付款" are not opt-outs. SMS keywords (STOP,
 * UNSUBSCRIBE, …, and 退订/TD in China) count only as the whole message.
 */

const OBJECT_EN = String.raw`(?:e-?mail(?:ing|s)?|mail(?:ing|s)?|messag(?:ing|es?)|text(?:ing|s)?|contact(?:ing)?|writing|remind(?:ing|ers?)|these (?:e-?mails|messages|reminders))`;

export const OPT_OUT_RULES: readonly PhraseRule[] = [
  {
    id: 'opt_out.sms-keyword',
    locale: 'en',
    pattern: /^\s*(?:stop|stopall|stop all|unsubscribe|cancel|end|quit|optout|opt out|revoke|dezabonare|iptal|退订|td)\s*[.!]?\s*$/,
    reason: 'The whole message is an opt-out keyword',
  },
  {
    id: 'opt_out.en.unsubscribe',
    locale: 'en',
    pattern: /\b(?:please\s+)?(?:unsubscribe|opt(?:-|\s)?out)\b(?!\s+(?:link|button|page))/,
    reason: 'Asks to unsubscribe',
  },
  {
    id: 'opt_out.en.stop',
    locale: 'en',
    pattern: new RegExp(
      String.raw`\b(?:stop|cease|quit)\s+(?:${OBJECT_EN}|sending\s+(?:me|us)\b|sending\s+(?:these|your|any)?\s*(?:e-?mails|messages|reminders|texts|letters))\b` +
        String.raw`|\b(?:do not|don't|dont|never)\s+(?:ever\s+)?(?:e-?mail|contact|text|message|write to|call)\s+(?:me|us)\b(?:\s+again)?` +
        String.raw`|\bno (?:more|further) (?:e-?mails|messages|reminders|texts|contact)\b`,
    ),
    reason: 'Asks us to stop writing',
  },
  {
    id: 'opt_out.en.remove',
    locale: 'en',
    pattern:
      /\b(?:remove|delete|take)\s+(?:me|us|my (?:e-?mail|address|number|details))\s+(?:off|from)\s+(?:your|the|this)\s+(?:mailing\s+|e-?mail\s+|contact\s+)?(?:list|database|system)\b/,
    reason: 'Asks to be removed from our list',
  },
  {
    id: 'opt_out.ro',
    locale: 'ro',
    pattern:
      /\b(?:dezabon\w*|nu(?:-mi|-ne| imi| mi| ne)? mai (?:trimite\w*|scrie\w*)|(?:va rog|va rugam)?\s*nu ma mai contact\w*|nu ne mai contact\w*|nu mai (?:vreau|dorim|doresc|vrem) sa (?:primesc|primim) (?:e-?mail\w*|mesaje|notificari|remindere)|(?:scoateti|stergeti)[- ]?(?:ma|ne) (?:de pe|din) (?:lista|baza de date)|opriti (?:e-?mailurile|mesajele|notificarile))\b/,
    reason: 'Asks us to stop writing (Romanian)',
  },
  {
    id: 'opt_out.tr',
    locale: 'tr',
    pattern:
      /\b(?:abonelikten cik\w*|aboneligimi (?:iptal|sonlandir)\w*|(?:bana|bize) (?:bir daha |artik )?(?:e-?posta|eposta|mail|mesaj|sms)\w* (?:gondermeyin|atmayin|yollamayin)|(?:e-?posta|eposta|mail|mesaj)\w* (?:gondermeyi|atmayi) (?:birakin|kesin|durdurun)|(?:beni|bizi) (?:listeden|listenizden) (?:cikar\w*|sil\w*)|(?:benimle|bizimle) (?:bir daha )?iletisime gecmeyin|beni (?:bir daha )?aramayin)/,
    reason: 'Asks us to stop writing (Turkish)',
  },
  {
    id: 'opt_out.zh-CN',
    locale: 'zh-CN',
    pattern:
      /(?:退订|退訂|取消订阅|取消訂閱|(?:不要|别|請勿|请勿|请不要|不要再|别再)再?(?:给我|給我|给我们)?(?:发|發|寄)(?:送)?(?:邮件|郵件|短信|信息|消息|催款)|(?:不要|别|请勿|请不要)再?(?:联系|聯繫|打扰|打擾)(?:我|我们)|(?:把|将)(?:我|我们)(?:的邮箱)?从.{0,6}(?:名单|列表|名單)(?:中|里)?(?:删除|移除|去掉))/,
    reason: 'Asks us to stop writing (Chinese)',
  },
];
