import type {
  ICredentialDataDecryptedObject,
  ICredentials,
  IHttpRequestOptions,
  INodeCredentialsDetails,
  INodeProperties,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';

/** Hands nodes fixed credential data by type, as n8n's own node tests do. */
export class StaticCredentialsHelper extends ICredentialsHelper {
  constructor(private readonly byType: Record<string, ICredentialDataDecryptedObject>) {
    super();
  }
  getParentTypes(): string[] {
    return [];
  }
  isCredentialUsableByNode(): boolean {
    return true;
  }
  async authenticate(_c: ICredentialDataDecryptedObject, _t: string, options: IHttpRequestOptions): Promise<IHttpRequestOptions> {
    return options;
  }
  async preAuthentication(): Promise<undefined> {
    return undefined;
  }
  async runPreAuthentication(): Promise<undefined> {
    return undefined;
  }
  async getCredentials(_details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
    throw new Error(`getCredentials(${type}) is not used by these nodes`);
  }
  async getDecrypted(_a: unknown, _d: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
    const data = this.byType[type];
    if (!data) throw new Error(`no test credential of type ${type}`);
    return data;
  }
  async updateCredentials(): Promise<void> {}
  async updateCredentialsOauthTokenData(): Promise<void> {}
  getCredentialsProperties(): INodeProperties[] {
    return [];
  }
}
