package dev.kickoff.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /openapi.yaml}: the API contract (docs/openapi.yaml, packaged into the function's jar), no token
 * needed. The document is read once; ApiContractTest keeps it true to the controllers.
 */
@Controller
public class OpenApiController {
    static final String RESOURCE = "openapi.yaml";

    private final String document;

    public OpenApiController() {
        try (InputStream in = OpenApiController.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath; the build copies docs/" + RESOURCE);
            }
            document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get("/openapi.yaml")
    public HttpResponse<String> openApi() {
        return HttpResponse.ok(document).contentType(MediaType.of("application/yaml"))
                .header("Cache-Control", "public, max-age=300");
    }
}
