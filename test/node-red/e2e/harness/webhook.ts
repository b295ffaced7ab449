export interface WebhookAnswer {
  status: number;
  text: string;
}

export async function postWebhook(url: string, body: string, headers: Record<string, string>): Promise<WebhookAnswer> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text() };
}
