package dev.kickoff.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.KickoffException;

/**
 * How one API shape writes errors. Each seed documents its own error format and its own status codes; the path a
 * request came in on picks the shape (see {@link ErrorShapes}), so even a 401 or an unknown route answers in the
 * caller's format. Each shape is a bean: {@link ErrorShapes} is handed all of them.
 */
public interface ErrorShape {
    /** The paths this shape answers for; the longest prefix that matches a request wins. */
    String pathPrefix();

    /** The status code this shape uses for the refusal: each shape owns its reason → status table. */
    int status(KickoffException e);

    ObjectNode body(KickoffException e);

    /** How this shape's documentation says to send a token, for the message of a request that sent none. */
    default String credentialHint() {
        return "send Authorization: Bearer <token>";
    }
}
