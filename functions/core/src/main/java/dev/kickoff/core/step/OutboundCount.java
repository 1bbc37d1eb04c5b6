package dev.kickoff.core.step;

import dev.kickoff.core.port.MailSender;
import dev.kickoff.core.port.OutboundHttp;

import java.util.function.Supplier;

/**
 * Counts the requests a step sends to other systems, for the step's record ({@code outbound_requests}, which metering
 * reads). The outbound ports are wrapped once ({@link #counting(OutboundHttp)}, {@link #counting(MailSender)}); a step
 * counts what its own thread sends while it runs ({@link #during}), so the steps of concurrent runs on one worker
 * never count each other's. A request the SSRF rules refused never left, and is not counted.
 */
public final class OutboundCount {
    private static final ThreadLocal<int[]> CURRENT = new ThreadLocal<>();

    private OutboundCount() {
    }

    /** What {@code body} answered, and how many requests its thread sent meanwhile. */
    public record Counted<T>(T value, int requests) {
    }

    public static <T> Counted<T> during(Supplier<T> body) {
        int[] outer = CURRENT.get();
        int[] mine = {0};
        CURRENT.set(mine);
        try {
            T value = body.get();
            return new Counted<>(value, mine[0]);
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                outer[0] += mine[0];
                CURRENT.set(outer);
            }
        }
    }

    private static void count() {
        int[] current = CURRENT.get();
        if (current != null) {
            current[0]++;
        }
    }

    public static OutboundHttp counting(OutboundHttp http) {
        return request -> {
            OutboundHttp.Result result = http.send(request);
            if (!(result instanceof OutboundHttp.Failure f && f.kind() == OutboundHttp.Failure.Kind.REFUSED)) {
                count();
            }
            return result;
        };
    }

    public static MailSender counting(MailSender mail) {
        return (server, message) -> {
            MailSender.Result result = mail.send(server, message);
            if (!(result instanceof MailSender.Failed f && "refused".equals(f.code()))) {
                count();
            }
            return result;
        };
    }
}
