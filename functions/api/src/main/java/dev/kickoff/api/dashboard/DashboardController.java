package dev.kickoff.api.dashboard;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;

/**
 * The dashboard at {@code /app/}, served by the API function itself: same origin as the API, so no CORS and no
 * second deployment. {@code GET /app/} is the HTML shell (revalidated on every load); {@code GET /app} redirects
 * to it; {@code GET /app/assets/<version>/<name>} are its scripts and styles, immutable under their version. Every
 * answer carries a strict Content-Security-Policy (no inline script or style, nothing from another origin, no
 * framing). The files are read on the first request here, never during the function's init
 * ({@link DashboardAssets}). No token is needed: the files hold no data; the dashboard's API calls carry one.
 */
@Controller
public class DashboardController {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private volatile DashboardAssets assets;

    @Get("/app")
    public MutableHttpResponse<?> shell(HttpRequest<?> request) {
        // Micronaut routes /app and /app/ here alike; the shell's relative URLs need the slash.
        if (!request.getPath().endsWith("/")) {
            // Relative, so that it holds under a path prefix (an API mapping on a custom domain).
            return secured(HttpResponse.status(HttpStatus.MOVED_PERMANENTLY)).header("Location", "app/")
                    .header("Cache-Control", "no-cache");
        }
        return serve(request, assets().shell(), "no-cache");
    }

    @Get("/app/assets/{version}/{name}")
    public MutableHttpResponse<?> asset(HttpRequest<?> request, @PathVariable String version,
                                        @PathVariable String name) {
        DashboardAssets.Asset asset = assets().asset(version, name);
        if (asset == null) {
            throw new KickoffException(Reason.NOT_FOUND, "no such dashboard file: " + request.getPath());
        }
        return serve(request, asset, IMMUTABLE);
    }

    private static MutableHttpResponse<?> serve(HttpRequest<?> request, DashboardAssets.Asset asset, String caching) {
        String seen = request.getHeaders().get("If-None-Match");
        MutableHttpResponse<?> response = seen != null && seen.contains(asset.etag())
                ? HttpResponse.status(HttpStatus.NOT_MODIFIED)
                : HttpResponse.ok(new String(asset.bytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .header("Content-Type", asset.contentType());
        return secured(response).header("Cache-Control", caching).header("ETag", asset.etag());
    }

    private static <T> MutableHttpResponse<T> secured(MutableHttpResponse<T> response) {
        return response.header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer");
    }

    private DashboardAssets assets() {
        DashboardAssets loaded = assets;
        if (loaded == null) {
            synchronized (this) {
                loaded = assets;
                if (loaded == null) {
                    loaded = DashboardAssets.load();
                    assets = loaded;
                }
            }
        }
        return loaded;
    }
}
