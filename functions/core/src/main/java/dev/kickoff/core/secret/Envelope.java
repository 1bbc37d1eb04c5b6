package dev.kickoff.core.secret;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.SecretBox;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sealed form of a connection's secrets, the same whichever master key wraps the data key:
 * <pre>
 *   "KSE" version(1) | kind(1) | keyRef (u16 length + UTF-8) | encrypted data key (u16 length + bytes)
 *   | nonce (12) | AES-256-GCM ciphertext of the secrets as JSON, with its 16-byte tag
 * </pre>
 * {@code kind} says which master key wrapped the data key ({@link #KMS}: the encrypted data key is KMS's
 * ciphertext blob; {@link #KEY_FILE}: AES-256-GCM under the key file's key), {@code keyRef} names that key (a KMS
 * key ARN, or a key file's fingerprint) so a blob sealed under another key fails with a clear message. The
 * ciphertext's associated data is the {@link SecretBox.Context}: a blob copied to another organization's or
 * another connection's item does not open there, even with the right data key.
 */
public record Envelope(int kind, String keyRef, byte[] encryptedKey, byte[] nonce, byte[] ciphertext) {
    public static final int KMS = 1;
    public static final int KEY_FILE = 2;
    static final byte[] MAGIC = {'K', 'S', 'E', 1};
    public static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Encrypts {@code secrets} under {@code dataKey} (32 bytes), bound to {@code context}. */
    public static Envelope seal(int kind, String keyRef, byte[] encryptedKey, byte[] dataKey,
                                Map<String, String> secrets, SecretBox.Context context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] plaintext = plaintext(secrets);
        try {
            return new Envelope(kind, keyRef, encryptedKey, nonce, gcm(Cipher.ENCRYPT_MODE, dataKey, nonce,
                    associatedData(context), plaintext));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /** Decrypts the secrets with the (unwrapped) data key; fails closed on any mismatch. */
    public Map<String, String> open(byte[] dataKey, SecretBox.Context context) {
        byte[] plaintext = gcm(Cipher.DECRYPT_MODE, dataKey, nonce, associatedData(context), ciphertext);
        try {
            JsonNode node = Json.read(new String(plaintext, StandardCharsets.UTF_8));
            Map<String, String> out = new LinkedHashMap<>();
            node.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().textValue()));
            return out;
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + encryptedKey.length + ciphertext.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(kind);
            byte[] ref = keyRef.getBytes(StandardCharsets.UTF_8);
            out.writeShort(ref.length);
            out.write(ref);
            out.writeShort(encryptedKey.length);
            out.write(encryptedKey);
            out.write(nonce);
            out.write(ciphertext);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    public static Envelope decode(byte[] blob) {
        if (blob == null || blob.length < MAGIC.length + 1 || !Arrays.equals(Arrays.copyOf(blob, MAGIC.length), MAGIC)) {
            throw new SecretBox.SecretsUnavailableException("not a sealed secrets blob (or an unknown version)");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(blob, MAGIC.length,
                blob.length - MAGIC.length))) {
            int kind = in.readUnsignedByte();
            byte[] ref = in.readNBytes(in.readUnsignedShort());
            byte[] key = in.readNBytes(in.readUnsignedShort());
            byte[] nonce = in.readNBytes(NONCE_BYTES);
            byte[] ciphertext = in.readAllBytes();
            if (nonce.length != NONCE_BYTES || ciphertext.length < TAG_BITS / 8) {
                throw new SecretBox.SecretsUnavailableException("the sealed secrets blob is truncated");
            }
            return new Envelope(kind, new String(ref, StandardCharsets.UTF_8), key, nonce, ciphertext);
        } catch (IOException e) {
            throw new SecretBox.SecretsUnavailableException("the sealed secrets blob is truncated");
        }
    }

    /** The context as bytes, unambiguous (length-prefixed), for AES-GCM's associated data. */
    public static byte[] associatedData(SecretBox.Context context) {
        byte[] id = context.connectionId().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + 4 + id.length).putLong(context.orgId()).putInt(id.length).put(id).array();
    }

    /** AES-256-GCM; a wrong key, nonce, tag or associated data is a {@link SecretBox.SecretsUnavailableException}. */
    public static byte[] gcm(int mode, byte[] key, byte[] nonce, byte[] aad, byte[] input) {
        if (key == null || key.length != KEY_BYTES) {
            throw new SecretBox.SecretsUnavailableException("the data key is not a 256-bit key");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw new SecretBox.SecretsUnavailableException("decryption failed: wrong key or context, or the blob was altered");
        } catch (GeneralSecurityException e) {
            throw new SecretBox.SecretsUnavailableException("decryption failed: " + e.getClass().getSimpleName());
        }
    }

    public static byte[] randomKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    public static byte[] randomNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    private static byte[] plaintext(Map<String, String> secrets) {
        ObjectNode node = Json.object();
        new TreeMap<>(secrets).forEach(node::put);
        return Json.write(node).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Envelope[kind " + kind + ", " + keyRef + "]";
    }
}
