package dev.kickoff.adapters.outbound;

import dev.kickoff.core.port.SecretBox;
import dev.kickoff.core.secret.Envelope;

import javax.crypto.Cipher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * The local stack's {@link SecretBox}: the envelope format of the KMS one, with a master key kept in a file
 * (256 bits, base64, mode 0600, under the data directory) in place of KMS. Each seal draws a fresh data key and
 * wraps it with the master key (AES-256-GCM, the context as associated data). A blob sealed under another key
 * file, or opened under another context, fails closed. Not for AWS: there the master key never leaves KMS.
 */
public final class KeyFileSecretBox implements SecretBox {
    private final byte[] master;
    private final String keyRef;

    private KeyFileSecretBox(byte[] master) {
        this.master = master;
        this.keyRef = fingerprint(master);
    }

    /** Reads the key file; refuses one that is missing, malformed, or readable by others. */
    public static KeyFileSecretBox open(Path file) {
        try {
            if (Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                    throw new IllegalStateException("the secrets key file " + file + " is readable by others; chmod 600 it");
                }
            }
            byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            if (key.length != Envelope.KEY_BYTES) {
                throw new IllegalStateException("the secrets key file " + file + " does not hold a 256-bit key");
            }
            return new KeyFileSecretBox(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the secrets key file " + file + " is not base64");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secrets key file " + file, e);
        }
    }

    /** Creates the key file with a fresh key, mode 0600, unless it exists; answers whether it created it. */
    public static boolean createIfAbsent(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            boolean posix = Files.getFileAttributeView(file.toAbsolutePath().getParent(),
                    java.nio.file.attribute.PosixFileAttributeView.class) != null;
            try {
                if (posix) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(file);
                }
            } catch (FileAlreadyExistsException e) {
                return false;
            }
            Files.writeString(file, Base64.getEncoder().encodeToString(Envelope.randomKey()) + "\n", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the secrets key file " + file, e);
        }
    }

    @Override
    public byte[] seal(Map<String, String> secrets, Context context) {
        byte[] dataKey = Envelope.randomKey();
        try {
            byte[] nonce = Envelope.randomNonce();
            byte[] wrapped = Envelope.gcm(Cipher.ENCRYPT_MODE, master, nonce, Envelope.associatedData(context), dataKey);
            byte[] encryptedKey = ByteBuffer.allocate(nonce.length + wrapped.length).put(nonce).put(wrapped).array();
            return Envelope.seal(Envelope.KEY_FILE, keyRef, encryptedKey, dataKey, secrets, context).encode();
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public Map<String, String> open(byte[] sealed, Context context) {
        Envelope envelope = Envelope.decode(sealed);
        if (envelope.kind() != Envelope.KEY_FILE) {
            throw new SecretsUnavailableException("sealed with KMS, and this deployment has a key file");
        }
        if (!envelope.keyRef().equals(keyRef)) {
            throw new SecretsUnavailableException("sealed under key file " + envelope.keyRef() + ", and this one is " + keyRef);
        }
        byte[] edk = envelope.encryptedKey();
        if (edk.length <= 12) {
            throw new SecretsUnavailableException("the sealed secrets blob is truncated");
        }
        byte[] dataKey = Envelope.gcm(Cipher.DECRYPT_MODE, master, Arrays.copyOf(edk, 12), Envelope.associatedData(context),
                Arrays.copyOfRange(edk, 12, edk.length));
        try {
            return envelope.open(dataKey, context);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    public String keyRef() {
        return keyRef;
    }

    /** Names the key without revealing it: the first 8 bytes of its SHA-256. */
    static String fingerprint(byte[] key) {
        try {
            return "keyfile:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "KeyFileSecretBox[" + keyRef + "]";
    }
}
