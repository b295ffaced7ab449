/**
 * A message's text as a Slack incoming webhook must receive it: Slack reads `<…>` as a mention (`<!channel>`,
 * `<@U123>`) or a link (`<https://…|label>`) and `&` as the start of an escape, so a customer named
 * "<!channel>" would page the whole channel. Slack's documented escaping of exactly those three characters makes
 * any text show as written.
 */
export function slackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
