package dev.kickoff.adapters.outbound;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.kickoff.core.port.WebhookSender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbound HTTP client's SSRF rules and limits, against real servers on loopback. Refused targets are
 * refused before any connection is made (no traffic ever leaves for a private address). Host names are mapped
 * to addresses by a test resolver, so that "a name that resolves to a private address" needs no DNS.
 */
class SafeHttpSenderTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static Receiver receiver;
    static HttpsServer https;
    static SSLSocketFactory trustingTestCa;
    static final List<String> httpsHosts = new CopyOnWriteArrayList<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        receiver = new Receiver();
        // A certificate for hooks.test only (made with the JDK's keytool), served on 127.0.0.1.
        Path store = dir.resolve("hooks.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "hooks", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=hooks.test",
                "-ext", "SAN=dns:hooks.test", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = new FileInputStream(store.toFile())) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(server));
        https.createContext("/", exchange -> {
            httpsHosts.add(exchange.getRequestHeaders().getFirst("Host"));
            exchange.getRequestBody().readAllBytes();
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        https.start();
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        trustingTestCa = client.getSocketFactory();
    }

    @AfterAll
    static void tearDown() {
        receiver.close();
        https.stop(0);
    }

    static WebhookSender.Response send(SafeHttpSender sender, String url) {
        return sender.send(new WebhookSender.Request(url, "msg_0123456789abcdef0123456789abcdef",
                System.currentTimeMillis() / 1000, "{\"id\":\"evt_1\"}", List.of(SECRET)));
    }

    static SafeHttpClient.Resolver resolving(Map<String, String> names, AtomicInteger calls) {
        return host -> {
            calls.incrementAndGet();
            String address = names.get(host);
            if (address == null) {
                throw new UnknownHostException(host);
            }
            List<InetAddress> out = new ArrayList<>();
            for (String a : address.split(",")) {
                out.add(InetAddress.getByName(a));
            }
            return out.toArray(InetAddress[]::new);
        };
    }

    @Test
    void outsideLocalModePrivateLoopbackLinkLocalAndMetadataTargetsAreRefusedBeforeConnecting() {
        AtomicInteger calls = new AtomicInteger();
        SafeHttpSender production = new SafeHttpSender(false, resolving(Map.of(
                "internal.example.com", "10.1.2.3",
                "mixed.example.com", "93.184.216.34,192.168.0.10",
                "cgnat.example.com", "100.64.0.1",
                "v6local.example.com", "fd00:ec2::254",
                "mapped.example.com", "::ffff:127.0.0.1",
                "loopback.example.com", "127.0.0.1"), calls),
                trustingTestCa, Duration.ofSeconds(2));
        int port = java.net.URI.create(receiver.url("/")).getPort();
        for (String url : List.of("https://127.0.0.1:" + port + "/", "https://169.254.169.254/latest/meta-data/",
                "https://[fd00:ec2::254]/", "https://[::1]/", "https://10.0.0.1/", "https://0.0.0.0/",
                "https://internal.example.com/hook", "https://mixed.example.com/hook", "https://cgnat.example.com/",
                "https://v6local.example.com/", "https://mapped.example.com/", "https://loopback.example.com/",
                "http://localhost:" + port + "/", receiver.url("/ssrf"), "https://user:pw@example.com/")) {
            WebhookSender.Response r = send(production, url);
            assertThat(r.statusCode()).as(url).isNull();
            assertThat(r.error()).as(url).startsWith("refused:");
        }
        assertThat(receiver.hits("/ssrf")).as("nothing reached the loopback server").isEmpty();
        assertThat(send(production, "https://internal.example.com/hook").error())
                .contains("internal.example.com resolves to a private address (10.1.2.3)");
        assertThat(send(production, "https://169.254.169.254/").error()).contains("link-local");
    }

    @Test
    void localModeAllowsLoopbackOnlyAndSignsTheRequest() {
        SafeHttpSender local = new SafeHttpSender(true);
        WebhookSender.Response ok = send(local, receiver.url("/local"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.error()).isNull();
        assertThat(ok.excerpt()).contains("received");
        Receiver.Hit hit = receiver.hits("/local").getFirst();
        assertThat(hit.verifies(SECRET)).isTrue();
        assertThat(hit.header("webhook-id")).isEqualTo("msg_0123456789abcdef0123456789abcdef");
        assertThat(hit.header("user-agent")).startsWith("Kickoff-Webhooks/");

        SafeHttpSender localWithPrivateDns = new SafeHttpSender(true, resolving(Map.of("lan.example.com",
                "192.168.1.1"), new AtomicInteger()), trustingTestCa, Duration.ofSeconds(2));
        assertThat(send(localWithPrivateDns, "https://lan.example.com/").error()).contains("private address");
        assertThat(send(local, "https://169.254.169.254/").error()).as("metadata is never allowed").contains("refused");
    }

    @Test
    void tlsGoesToTheCheckedAddressWithTheOriginalNameForSniAndCertificateChecks() {
        AtomicInteger calls = new AtomicInteger();
        int port = https.getAddress().getPort();
        // 15 s: a TLS handshake on loopback took over 5 s at a load of 19 (the suite builds two modules at a time).
        SafeHttpSender sender = new SafeHttpSender(true, resolving(Map.of("hooks.test", "127.0.0.1",
                "other.test", "127.0.0.1"), calls), trustingTestCa, Duration.ofSeconds(15));

        WebhookSender.Response ok = send(sender, "https://hooks.test:" + port + "/in");
        assertThat(ok.error()).isNull();
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(calls.get()).as("resolved once, connected to that address").isEqualTo(1);
        assertThat(httpsHosts).contains("hooks.test:" + port);

        // The same server under a name its certificate does not carry: the handshake must fail.
        WebhookSender.Response mismatch = send(sender, "https://other.test:" + port + "/in");
        assertThat(mismatch.statusCode()).isNull();
        assertThat(mismatch.error()).contains("connection failed");
    }

    @Test
    void redirectsAreNotFollowedAndBigOrSlowResponsesAreBounded() throws Exception {
        var server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/redirect", e -> {
            e.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            e.sendResponseHeaders(302, -1);
            e.close();
        });
        server.createContext("/big", e -> {
            e.sendResponseHeaders(500, 0);  // chunked, about 1 MB
            byte[] block = "x".repeat(8192).getBytes(StandardCharsets.UTF_8);
            try (var out = e.getResponseBody()) {
                for (int i = 0; i < 128; i++) {
                    out.write(block);
                }
            } catch (java.io.IOException ignored) {
                // the client stops reading at its cap
            }
        });
        server.createContext("/slow", e -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            e.sendResponseHeaders(200, -1);
            e.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            SafeHttpSender sender = new SafeHttpSender(true, InetAddress::getAllByName, trustingTestCa,
                    Duration.ofSeconds(1));
            WebhookSender.Response redirect = send(sender, base + "/redirect");
            assertThat(redirect.statusCode()).isEqualTo(302);
            assertThat(redirect.succeeded()).isFalse();
            assertThat(redirect.error()).contains("redirects are not followed");

            WebhookSender.Response big = send(sender, base + "/big");
            assertThat(big.statusCode()).isEqualTo(500);
            assertThat(big.excerpt().length()).isLessThanOrEqualTo(SafeHttpSender.EXCERPT_CHARS + 1);

            long start = System.nanoTime();
            WebhookSender.Response slow = send(sender, base + "/slow");
            assertThat(slow.statusCode()).isNull();
            assertThat(slow.error()).startsWith("timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
        } finally {
            server.stop(0);
        }
    }
}
