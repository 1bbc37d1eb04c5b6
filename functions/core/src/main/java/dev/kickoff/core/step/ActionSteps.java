package dev.kickoff.core.step;

import dev.kickoff.core.action.ActionRunner;
import dev.kickoff.core.action.Actions;
import dev.kickoff.core.connection.ConnectionService;
import dev.kickoff.core.engine.StepType;
import dev.kickoff.core.port.MailSender;
import dev.kickoff.core.port.OutboundHttp;

import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/** The steps that act, for a registry: {@code http}, {@code action}, {@code email}. */
public final class ActionSteps {
    private ActionSteps() {
    }

    /** The three step types over one runner (built on first use, once). */
    public static List<StepType> over(Supplier<ActionRunner> runner) {
        Supplier<ActionRunner> once = memoized(runner);
        return List.of(new HttpStep(once), new ActionStep(once), new EmailStep(once));
    }

    /**
     * The runner the step types use: the standard actions over these ports, each wrapped to count what a step sends
     * ({@link OutboundCount}).
     */
    public static ActionRunner runner(OutboundHttp http, MailSender mail, ConnectionService connections, Clock clock) {
        return new ActionRunner(Actions.standard(OutboundCount.counting(http), OutboundCount.counting(mail), clock),
                connections);
    }

    private static Supplier<ActionRunner> memoized(Supplier<ActionRunner> supplier) {
        return new Supplier<>() {
            private volatile ActionRunner value;

            @Override
            public ActionRunner get() {
                ActionRunner current = value;
                if (current == null) {
                    synchronized (this) {
                        if (value == null) {
                            value = supplier.get();
                        }
                        current = value;
                    }
                }
                return current;
            }
        };
    }
}
