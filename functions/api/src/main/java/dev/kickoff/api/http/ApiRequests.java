package dev.kickoff.api.http;

import dev.kickoff.bootstrap.Settings;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

/** The public base URL of the API, for {@code Location} headers and the {@code url} fields of run objects. */
@Singleton
public final class ApiRequests {
    private final Settings settings;

    public ApiRequests(Settings settings) {
        this.settings = settings;
    }

    /**
     * The base URL clients reach this API at: {@code KICKOFF_PUBLIC_URL} if set, else the request's Host and
     * scheme (API Gateway sets {@code X-Forwarded-Proto}).
     */
    public String baseUrl(HttpRequest<?> request) {
        if (settings.publicUrl() != null) {
            return settings.publicUrl().replaceAll("/+$", "");
        }
        String host = request.getHeaders().get(HttpHeaders.HOST);
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.\\-:\\[\\]]{1,255}")) {
            host = "localhost";
        }
        String proto = request.getHeaders().get("X-Forwarded-Proto");
        if (!"http".equals(proto) && !"https".equals(proto)) {
            proto = host.startsWith("localhost") || host.startsWith("127.0.0.1") ? "http" : "https";
        }
        return proto + "://" + host;
    }
}
