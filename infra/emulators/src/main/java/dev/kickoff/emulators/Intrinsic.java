package dev.kickoff.emulators;

import java.util.List;

/** CloudFormation intrinsic functions as read from the template ({@code !Ref X}, {@code !GetAtt X.Arn}, ...). */
public sealed interface Intrinsic {
    record Ref(String name) implements Intrinsic {
    }

    record GetAtt(String resource, String attribute) implements Intrinsic {
    }

    record Sub(String template) implements Intrinsic {
    }

    /** Any other function; the emulators do not evaluate it. */
    record Other(String function, Object argument) implements Intrinsic {
    }

    static Intrinsic of(String function, Object argument) {
        return switch (function) {
            case "Ref" -> new Ref(String.valueOf(argument));
            case "Fn::GetAtt" -> {
                if (argument instanceof List<?> parts && parts.size() == 2) {
                    yield new GetAtt(String.valueOf(parts.get(0)), String.valueOf(parts.get(1)));
                }
                String text = String.valueOf(argument);
                int dot = text.indexOf('.');
                yield new GetAtt(text.substring(0, dot), text.substring(dot + 1));
            }
            case "Fn::Sub" -> argument instanceof String s ? new Sub(s) : new Other(function, argument);
            default -> new Other(function, argument);
        };
    }
}
