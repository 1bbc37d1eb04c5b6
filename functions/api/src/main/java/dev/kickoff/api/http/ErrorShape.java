package dev.kickoff.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.KickoffException;

/**
 * How one API shape writes errors. Each seed documents its own error format; the path a request came in on
 * picks the shape (see {@link ErrorShapes}), so even a 401 or an unknown route answers in the caller's format.
 */
public interface ErrorShape {
    /** The status code this shape uses for the refusal. */
    int status(KickoffException e);

    ObjectNode body(KickoffException e);
}
