package dev.kickoff.core.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.RunUsage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run costs, in cents, as exact decimals (never floating point): a price per run, per step execution by step
 * type ({@code "*"} for the types not named), per second of step time and per outbound request. {@link #DEFAULTS}
 * holds for every organization; an operator can override any part for one organization (the admin function's
 * {@code set-prices}), and the override is merged over the defaults.
 */
public record PriceList(BigDecimal perRun, Map<String, BigDecimal> perStep, BigDecimal perStepSecond,
                        BigDecimal perOutboundRequest) {
    public static final String ANY_TYPE = "*";
    /** Prices are kept to this many decimal places of a cent (a millionth of a cent). */
    public static final int SCALE = 6;
    static final BigDecimal MAX_PRICE = new BigDecimal("100000");

    public static final PriceList DEFAULTS = new PriceList(
            new BigDecimal("0.05"),
            Map.of(ANY_TYPE, new BigDecimal("0.01"), "transform", new BigDecimal("0.005"),
                    "fail", new BigDecimal("0.005"), "delay", new BigDecimal("0.005")),
            new BigDecimal("0.002"),
            new BigDecimal("0.01"));

    public PriceList {
        perStep = Map.copyOf(new TreeMap<>(perStep));
    }

    /** The price of one execution of a step of this type. */
    public BigDecimal step(String type) {
        BigDecimal own = perStep.get(type);
        return own != null ? own : perStep.getOrDefault(ANY_TYPE, BigDecimal.ZERO);
    }

    /**
     * The cost of {@code usage}, plus the per-run price when {@code countRun} (a run's first finish; a retry's second
     * finish adds only its new steps). Exact: step seconds are milliseconds over 1000, kept to {@link #SCALE} places
     * of a cent and rounded half-up only there.
     */
    public BigDecimal price(RunUsage usage, boolean countRun) {
        BigDecimal total = countRun ? perRun : BigDecimal.ZERO;
        for (Map.Entry<String, Long> e : usage.stepsByType().entrySet()) {
            total = total.add(step(e.getKey()).multiply(BigDecimal.valueOf(e.getValue())));
        }
        total = total.add(perStepSecond.multiply(BigDecimal.valueOf(usage.stepMs())).movePointLeft(3));
        total = total.add(perOutboundRequest.multiply(BigDecimal.valueOf(usage.outboundRequests())));
        return plain(total.setScale(SCALE, RoundingMode.HALF_UP));
    }

    /** A decimal without trailing zeros and never in exponent notation ({@code 10}, not {@code 1E+1}). */
    public static BigDecimal plain(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        return v.scale() < 0 ? v.setScale(0) : v;
    }

    /**
     * These prices with {@code override}'s merged over them: {@code {"per_run": "0.1", "per_step": {"http": 0.02},
     * "per_step_second": …, "per_outbound_request": …}}; a {@code per_step} type set to null falls back to
     * {@code "*"}. Prices are non-negative decimals (numbers or numeric strings) of at most {@link #SCALE} places.
     */
    public PriceList merge(JsonNode override) {
        if (override == null || override.isNull()) {
            return this;
        }
        if (!override.isObject()) {
            throw invalid("prices must be an object");
        }
        BigDecimal run = perRun;
        Map<String, BigDecimal> steps = new TreeMap<>(perStep);
        BigDecimal second = perStepSecond;
        BigDecimal outbound = perOutboundRequest;
        for (Iterator<Map.Entry<String, JsonNode>> it = override.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            switch (e.getKey()) {
                case "per_run" -> run = price(e.getValue(), "per_run");
                case "per_step_second" -> second = price(e.getValue(), "per_step_second");
                case "per_outbound_request" -> outbound = price(e.getValue(), "per_outbound_request");
                case "per_step" -> {
                    if (!e.getValue().isObject()) {
                        throw invalid("per_step must be an object of step type to price");
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> types = e.getValue().fields(); types.hasNext(); ) {
                        Map.Entry<String, JsonNode> t = types.next();
                        if (t.getKey().isEmpty() || t.getKey().length() > 64) {
                            throw invalid("a step type is 1 to 64 characters");
                        }
                        if (t.getValue().isNull()) {
                            if (t.getKey().equals(ANY_TYPE)) {
                                throw invalid("per_step \"*\" cannot be removed");
                            }
                            steps.remove(t.getKey());
                        } else {
                            steps.put(t.getKey(), price(t.getValue(), "per_step." + t.getKey()));
                        }
                    }
                }
                default -> throw invalid("unknown price '" + e.getKey()
                        + "'; prices are per_run, per_step, per_step_second and per_outbound_request");
            }
        }
        return new PriceList(run, steps, second, outbound);
    }

    private static BigDecimal price(JsonNode node, String name) {
        BigDecimal value;
        try {
            value = node.isNumber() ? node.decimalValue() : node.isTextual() ? new BigDecimal(node.textValue().strip())
                    : null;
        } catch (NumberFormatException e) {
            value = null;
        }
        if (value == null || value.signum() < 0 || value.compareTo(MAX_PRICE) > 0
                || value.stripTrailingZeros().scale() > SCALE) {
            throw invalid(name + " must be a number of cents from 0 to " + MAX_PRICE + " with at most " + SCALE
                    + " decimal places");
        }
        return plain(value);
    }

    private static KickoffException invalid(String message) {
        return new KickoffException(Reason.INVALID_REQUEST, message);
    }

    /** {@code {"per_run": 0.05, "per_step": {"*": 0.01, …}, "per_step_second": …, "per_outbound_request": …}}. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("currency", "usd");
        o.put("per_run", perRun);
        ObjectNode steps = o.putObject("per_step");
        new TreeMap<>(perStep).forEach(steps::put);
        o.put("per_step_second", perStepSecond);
        o.put("per_outbound_request", perOutboundRequest);
        return o;
    }
}
