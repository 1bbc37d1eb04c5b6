package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.SecretBox;
import dev.kickoff.core.secret.Envelope;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KmsException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Envelope encryption with KMS: each seal asks KMS for a fresh 256-bit data key ({@code GenerateDataKey}, with the
 * organization and connection as encryption context), encrypts the secrets locally with it (AES-256-GCM, same
 * context as associated data) and keeps KMS's encrypted copy of the key beside the ciphertext. Opening asks KMS to
 * decrypt that copy ({@code Decrypt}, same context: KMS refuses another one) and keeps the plaintext data key in a
 * small bounded cache for a short time, so a worker running a connection's steps calls KMS about once per
 * connection per TTL, not once per step. The master key never leaves KMS; the API function may only generate data
 * keys and the worker may only decrypt them (template.yaml).
 *
 * <p>A blob KMS will not decrypt (wrong key, wrong context, damaged, key disabled or access denied) fails closed
 * with {@link SecretsUnavailableException}; KMS being unreachable or throttling is left to propagate, a transient
 * error for the caller to retry.
 */
public final class KmsSecretBox implements SecretBox {
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    public static final int DEFAULT_CACHE_SIZE = 100;

    private record Cached(byte[] key, Instant until) {
    }

    private final KmsClient kms;
    private final String keyId;
    private final Clock clock;
    private final Duration ttl;
    private final int maxEntries;
    private final LinkedHashMap<String, Cached> cache = new LinkedHashMap<>(16, 0.75f, true);

    public KmsSecretBox(KmsClient kms, String keyId) {
        this(kms, keyId, Clock.systemUTC(), DEFAULT_TTL, DEFAULT_CACHE_SIZE);
    }

    public KmsSecretBox(KmsClient kms, String keyId, Clock clock, Duration ttl, int maxEntries) {
        this.kms = kms;
        this.keyId = keyId;
        this.clock = clock;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
    }

    @Override
    public byte[] seal(Map<String, String> secrets, Context context) {
        GenerateDataKeyResponse key = kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)
                .encryptionContext(context.asMap()));
        byte[] dataKey = key.plaintext().asByteArray();
        try {
            return Envelope.seal(Envelope.KMS, key.keyId(), key.ciphertextBlob().asByteArray(), dataKey, secrets, context)
                    .encode();
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    @Override
    public Map<String, String> open(byte[] sealed, Context context) {
        Envelope envelope = Envelope.decode(sealed);
        if (envelope.kind() != Envelope.KMS) {
            throw new SecretsUnavailableException("sealed with a key file, and this deployment uses KMS");
        }
        String cacheKey = context.orgId() + "|" + context.connectionId() + "|"
                + Base64.getEncoder().encodeToString(envelope.encryptedKey());
        byte[] dataKey = cached(cacheKey);
        if (dataKey == null) {
            DecryptResponse response;
            try {
                response = kms.decrypt(b -> b.keyId(keyId).ciphertextBlob(SdkBytes.fromByteArray(envelope.encryptedKey()))
                        .encryptionContext(context.asMap()));
            } catch (InvalidCiphertextException | IncorrectKeyException e) {
                throw new SecretsUnavailableException("KMS refused the data key: wrong key or context, or the blob was altered");
            } catch (KmsException e) {
                String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
                if (java.util.Set.of("AccessDeniedException", "DisabledException", "NotFoundException",
                        "KMSInvalidStateException").contains(code)) {
                    throw new SecretsUnavailableException("KMS cannot decrypt the data key (" + code + ")");
                }
                throw e;
            }
            dataKey = response.plaintext().asByteArray();
            remember(cacheKey, dataKey);
        }
        try {
            return envelope.open(dataKey, context);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /** A copy of a cached key that has not expired, or null. */
    private synchronized byte[] cached(String cacheKey) {
        Cached c = cache.get(cacheKey);
        if (c == null) {
            return null;
        }
        if (!clock.instant().isBefore(c.until())) {
            Arrays.fill(cache.remove(cacheKey).key(), (byte) 0);
            return null;
        }
        return c.key().clone();
    }

    private synchronized void remember(String cacheKey, byte[] dataKey) {
        if (maxEntries <= 0 || ttl.isZero()) {
            return;
        }
        cache.put(cacheKey, new Cached(dataKey.clone(), clock.instant().plus(ttl)));
        while (cache.size() > maxEntries) {
            var eldest = cache.entrySet().iterator().next();
            Arrays.fill(eldest.getValue().key(), (byte) 0);
            cache.remove(eldest.getKey());
        }
    }

    synchronized int cachedKeys() {
        return cache.size();
    }

    @Override
    public String toString() {
        return "KmsSecretBox[" + keyId + "]";
    }
}
