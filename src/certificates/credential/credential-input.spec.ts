import { newSerial } from '../serial';
import { envelope, readCredentialInput } from './credential-input';

const JWS = 'eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2lnbmF0dXJl';

describe('readCredentialInput', () => {
  it('takes a bare compact JWS', () => {
    expect(readCredentialInput(`  ${JWS}\n`)).toEqual({ kind: 'jws', jws: JWS });
  });

  it('unwraps the VC 2.0 envelope served at /verify/<serial>.json', () => {
    expect(readCredentialInput(JSON.stringify(envelope(JWS)))).toEqual({ kind: 'jws', jws: JWS });
  });

  it('turns a pasted serial or verification link into a lookup', () => {
    expect(readCredentialInput('er-2026-000123')).toEqual({ kind: 'serial', serial: 'ER-2026-000123' });
    expect(readCredentialInput('https://exportready.pk/verify/ER-2026-000123')).toEqual({ kind: 'serial', serial: 'ER-2026-000123' });
    const serial = newSerial('2026');
    expect(readCredentialInput(`https://exportready.pk/verify/${serial}.json`)).toEqual({ kind: 'serial', serial });
    expect(readCredentialInput(serial.toLowerCase().replace(/-/g, ' '))).toEqual({ kind: 'serial', serial });
  });

  it('refuses a credential without a signature, however real it looks', () => {
    expect(readCredentialInput(JSON.stringify({ type: ['VerifiableCredential', 'OpenBadgeCredential'], name: 'x' }))).toEqual({ kind: 'unsigned' });
  });

  it('reports anything else as unreadable', () => {
    for (const input of ['', 'hello', '{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,not a jws"}', '[1,2']) {
      expect(readCredentialInput(input)).toEqual({ kind: 'unreadable' });
    }
  });
});
