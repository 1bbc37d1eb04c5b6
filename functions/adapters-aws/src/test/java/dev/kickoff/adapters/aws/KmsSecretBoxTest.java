package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.SecretBox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

import java.io.File;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The KMS secret box against moto's KMS ({@code moto_server}, started here on a free loopback port; skipped with
 * a message when it is not installed): GenerateDataKey and Decrypt with the encryption context, a blob that holds
 * no plaintext, another organization's context refused, and the data-key cache bounding calls to KMS.
 */
class KmsSecretBoxTest {
    static Process moto;
    static KmsClient kms;
    static String keyId;
    static final AtomicInteger decrypts = new AtomicInteger();
    static final Map<String, String> SECRETS = Map.of("apiKey", "sk_live_Kms_Plaintext_Never_Stored");
    static final SecretBox.Context CONTEXT = new SecretBox.Context(42, "conn_kkkkkkkkkkkkkkkkkkkkkkkk");

    @BeforeAll
    static void startMoto() throws Exception {
        String path = System.getenv().getOrDefault("PATH", "");
        boolean installed = false;
        for (String dir : path.split(File.pathSeparator)) {
            installed |= Files.isExecutable(Path.of(dir, "moto_server"));
        }
        Assumptions.assumeTrue(installed, "moto_server is not on PATH (pip install 'moto[server]'): the KMS path is not tested here");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        moto = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                break;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > until || !moto.isAlive()) {
                    throw new IllegalStateException("moto_server did not start on port " + port);
                }
                Thread.sleep(100);
            }
        }
        KmsClient real = KmsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        keyId = real.createKey(b -> b.description("kickoff test")).keyMetadata().keyId();
        // Counts Decrypt calls, to see the cache work.
        kms = (KmsClient) Proxy.newProxyInstance(KmsClient.class.getClassLoader(), new Class<?>[]{KmsClient.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("decrypt")) {
                        decrypts.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @AfterAll
    static void stopMoto() {
        if (moto != null) {
            moto.destroy();
        }
    }

    @Test
    void sealsWithoutPlaintextAndOpensOnlyUnderItsContext() {
        KmsSecretBox api = new KmsSecretBox(kms, keyId);
        byte[] sealed = api.seal(SECRETS, CONTEXT);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("sk_live_Kms_Plaintext_Never_Stored")
                .doesNotContain("apiKey");

        KmsSecretBox worker = new KmsSecretBox(kms, keyId);
        assertThat(worker.open(sealed, CONTEXT)).isEqualTo(SECRETS);
        assertThatThrownBy(() -> worker.open(sealed, new SecretBox.Context(43, CONTEXT.connectionId())))
                .isInstanceOf(SecretBox.SecretsUnavailableException.class);
        assertThatThrownBy(() -> worker.open(sealed, new SecretBox.Context(42, "conn_oooooooooooooooooooooooo")))
                .isInstanceOf(SecretBox.SecretsUnavailableException.class);
        byte[] altered = sealed.clone();
        altered[altered.length - 3] ^= 1;
        assertThatThrownBy(() -> worker.open(altered, CONTEXT)).isInstanceOf(SecretBox.SecretsUnavailableException.class);
    }

    @Test
    void theWorkerCachesDataKeysBrieflyAndBoundedly() {
        Instant[] now = {Instant.parse("2026-05-19T12:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        KmsSecretBox box = new KmsSecretBox(kms, keyId, clock, Duration.ofMinutes(5), 2);
        byte[] sealed = box.seal(SECRETS, CONTEXT);
        int before = decrypts.get();
        for (int i = 0; i < 5; i++) {
            assertThat(box.open(sealed, CONTEXT)).isEqualTo(SECRETS);
        }
        assertThat(decrypts.get() - before).as("one KMS call for five opens").isEqualTo(1);
        now[0] = now[0].plus(Duration.ofMinutes(6));
        box.open(sealed, CONTEXT);
        assertThat(decrypts.get() - before).as("after the TTL, KMS again").isEqualTo(2);
        for (int i = 0; i < 4; i++) {
            SecretBox.Context other = new SecretBox.Context(100 + i, CONTEXT.connectionId());
            box.open(box.seal(SECRETS, other), other);
        }
        assertThat(box.cachedKeys()).isEqualTo(2);
    }
}
