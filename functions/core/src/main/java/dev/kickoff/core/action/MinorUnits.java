package dev.kickoff.core.action;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Set;

/**
 * Amounts in a currency's units ({@code 4317.84} dollars) to its smallest unit, as Stripe takes them
 * ({@code 431784} cents). Zero-decimal currencies (JPY, KRW, ...) are already in their smallest unit; the
 * three-decimal ones (BHD, JOD, KWD, OMR, TND) go to thousandths rounded to a multiple of ten, as Stripe requires.
 * Rounding is half-up (a template total like {@code 21.5892} becomes 2159 cents).
 */
public final class MinorUnits {
    /** Stripe's zero-decimal currencies. */
    static final Set<String> ZERO_DECIMAL = Set.of("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg",
            "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf");
    static final Set<String> THREE_DECIMAL = Set.of("bhd", "jod", "kwd", "omr", "tnd");

    private MinorUnits() {
    }

    public static long of(BigDecimal amount, String currency) {
        String c = currency.toLowerCase(java.util.Locale.ROOT);
        BigDecimal minor;
        if (ZERO_DECIMAL.contains(c)) {
            minor = amount.setScale(0, RoundingMode.HALF_UP);
        } else if (THREE_DECIMAL.contains(c)) {
            minor = amount.setScale(2, RoundingMode.HALF_UP).movePointRight(3);
        } else {
            minor = amount.setScale(2, RoundingMode.HALF_UP).movePointRight(2);
        }
        return minor.longValueExact();
    }
}
