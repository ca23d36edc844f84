import { SigningKeyRing } from '@agentops/service-runtime';
import { Controller, Get, Header } from '@nestjs/common';

/**
 * The public halves of the console's user-token keys (RFC 7517), for every service to verify
 * tokens with. Public by nature: a verifier needs nothing secret, and cannot mint.
 */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly signer: SigningKeyRing) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks() {
    return this.signer.publicJwks();
  }
}
