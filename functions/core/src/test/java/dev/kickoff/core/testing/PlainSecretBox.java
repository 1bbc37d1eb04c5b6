package dev.kickoff.core.testing;

import dev.kickoff.core.port.SecretBox;
import dev.kickoff.core.secret.Envelope;

import java.util.Map;

/** The real envelope under a fixed all-zero key: for core tests that need sealing to work, not to be secret. */
public final class PlainSecretBox implements SecretBox {
    private static final byte[] KEY = new byte[Envelope.KEY_BYTES];

    @Override
    public byte[] seal(Map<String, String> secrets, Context context) {
        return Envelope.seal(Envelope.KEY_FILE, "test", new byte[0], KEY, secrets, context).encode();
    }

    @Override
    public Map<String, String> open(byte[] sealed, Context context) {
        return Envelope.decode(sealed).open(KEY, context);
    }
}
