package dev.kickoff.emulators.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Stripe-compatible API on a loopback port, enough for the Stripe actions: customers, invoice items, invoices
 * and their finalization, with Stripe's wire conventions — form-encoded requests with bracketed nesting
 * ({@code metadata[source]=…}), Bearer secret keys, JSON answers, errors as
 * {@code {"error": {"type", "code", "message", "param"}}} — and its idempotency: every request's
 * {@code Idempotency-Key} is recorded, a repeated key with the same parameters replays the stored answer (with
 * {@code Idempotent-Replayed: true}) and creates nothing, the same key with other parameters is an
 * {@code idempotency_error}. Tests can script failures ({@link #failNext}) and read every request it got.
 */
public final class FakeStripe implements AutoCloseable {
    /** One request as received: form parameters flat, by their bracketed names. */
    public record Request(String method, String path, String idempotencyKey, Map<String, String> form,
                          boolean replayed) {
    }

    private record Stored(String fingerprint, int status, String body) {
    }

    private record Scripted(String path, int status, String body, Map<String, String> headers) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String apiKey;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Stored> idempotency = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> customers = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> invoices = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> items = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Scripted> scripted = new ConcurrentLinkedQueue<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger numbers = new AtomicInteger();

    private FakeStripe(String apiKey) throws IOException {
        this.apiKey = apiKey;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** @param apiKey the secret key requests must carry ({@code Authorization: Bearer …}) */
    public static FakeStripe start(String apiKey) {
        try {
            return new FakeStripe(apiKey);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a connection's {@code config.baseUrl} should be. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A customer that exists before the test (its ID). */
    public String createCustomer(String email) {
        ObjectNode c = JSON.createObjectNode();
        String id = "cus_" + next();
        c.put("id", id).put("object", "customer").put("email", email);
        c.putObject("metadata");
        customers.put(id, c);
        return id;
    }

    /**
     * The next request to a path matching {@code path} (a regex, e.g. {@code /v1/invoices} or
     * {@code /v1/invoices/[^/]+/finalize}) is answered with {@code status} and Stripe's error
     * shape, and not stored for idempotency (as Stripe does for requests it did not execute).
     */
    public void failNext(String path, int status, String type, String code, String message, Map<String, String> headers) {
        ObjectNode error = JSON.createObjectNode();
        ObjectNode e = error.putObject("error");
        e.put("type", type);
        if (code != null) {
            e.put("code", code);
        }
        e.put("message", message);
        scripted.add(new Scripted(path, status, error.toString(), headers == null ? Map.of() : headers));
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<JsonNode> invoices() {
        return List.copyOf(invoices.values());
    }

    public List<JsonNode> invoiceItems() {
        return List.copyOf(items.values());
    }

    public List<JsonNode> customers() {
        return List.copyOf(customers.values());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private String next() {
        return String.format("%014d", ids.incrementAndGet());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> form = decode(raw);
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.equals("Bearer " + apiKey)) {
                requests.add(new Request(method, path, key, form, false));
                String shown = auth == null ? "" : auth.replaceFirst("^Bearer ", "");
                shown = shown.length() > 4 ? shown.substring(0, Math.min(8, shown.length() - 4)) + "****"
                        + shown.substring(shown.length() - 4) : "";
                send(exchange, 401, error("invalid_request_error", null, "Invalid API Key provided: " + shown, null), Map.of());
                return;
            }
            for (Scripted s : scripted) {
                if (path.matches(s.path()) && scripted.remove(s)) {
                    requests.add(new Request(method, path, key, form, false));
                    send(exchange, s.status(), s.body(), s.headers());
                    return;
                }
            }
            String fingerprint = method + " " + path + " " + new java.util.TreeMap<>(form);
            if (key != null) {
                Stored stored = idempotency.get(key);
                if (stored != null) {
                    requests.add(new Request(method, path, key, form, true));
                    if (!stored.fingerprint().equals(fingerprint)) {
                        send(exchange, 400, error("idempotency_error", null, "Keys for idempotent requests can only be"
                                + " used with the same parameters they were first used with. Try using a key other"
                                + " than '" + key + "' if you meant to execute a different request.", null), Map.of());
                        return;
                    }
                    send(exchange, stored.status(), stored.body(), Map.of("Idempotent-Replayed", "true"));
                    return;
                }
            }
            requests.add(new Request(method, path, key, form, false));
            int[] status = {200};
            String body;
            synchronized (this) {
                body = route(method, path, form, status);
            }
            if (key != null) {
                idempotency.put(key, new Stored(fingerprint, status[0], body));
            }
            send(exchange, status[0], body, Map.of());
        }
    }

    private String route(String method, String path, Map<String, String> form, int[] status) {
        if (!method.equals("POST") && !method.equals("GET")) {
            status[0] = 405;
            return error("invalid_request_error", null, "Unrecognized request URL (" + method + ": " + path + ")", null);
        }
        String[] parts = path.split("/");
        if (path.equals("/v1/customers") && method.equals("POST")) {
            ObjectNode c = JSON.createObjectNode();
            String id = "cus_" + next();
            c.put("id", id).put("object", "customer");
            for (String f : List.of("email", "name", "description", "phone")) {
                c.put(f, form.get(f));
            }
            c.set("metadata", metadata(form));
            customers.put(id, c);
            return c.toString();
        }
        if (path.equals("/v1/invoices") && method.equals("POST")) {
            String customer = form.get("customer");
            if (customer == null || !customers.containsKey(customer)) {
                status[0] = 400;
                return error("invalid_request_error", "resource_missing", "No such customer: '" + customer + "'", "customer");
            }
            ObjectNode inv = JSON.createObjectNode();
            String id = "in_" + next();
            inv.put("id", id).put("object", "invoice").put("customer", customer)
                    .put("currency", form.getOrDefault("currency", "usd")).put("status", "draft").putNull("number")
                    .put("description", form.get("description"))
                    .put("collection_method", form.getOrDefault("collection_method", "charge_automatically"))
                    .put("auto_advance", Boolean.parseBoolean(form.getOrDefault("auto_advance", "true")))
                    .put("amount_due", 0).put("total", 0);
            if (form.containsKey("days_until_due")) {
                inv.put("days_until_due", Integer.parseInt(form.get("days_until_due")));
            }
            inv.set("metadata", metadata(form));
            inv.putObject("lines").put("object", "list").putArray("data");
            invoices.put(id, inv);
            return inv.toString();
        }
        if (path.equals("/v1/invoiceitems") && method.equals("POST")) {
            String customer = form.get("customer");
            if (customer == null || !customers.containsKey(customer)) {
                status[0] = 400;
                return error("invalid_request_error", "resource_missing", "No such customer: '" + customer + "'", "customer");
            }
            long amount;
            try {
                amount = Long.parseLong(form.getOrDefault("amount", ""));
            } catch (NumberFormatException e) {
                status[0] = 400;
                return error("invalid_request_error", "parameter_invalid_integer", "Invalid integer: "
                        + form.get("amount"), "amount");
            }
            ObjectNode item = JSON.createObjectNode();
            String id = "ii_" + next();
            item.put("id", id).put("object", "invoiceitem").put("customer", customer).put("amount", amount)
                    .put("currency", form.getOrDefault("currency", "usd")).put("description", form.get("description"));
            item.set("metadata", metadata(form));
            String invoice = form.get("invoice");
            if (invoice != null) {
                ObjectNode inv = invoices.get(invoice);
                if (inv == null) {
                    status[0] = 400;
                    return error("invalid_request_error", "resource_missing", "No such invoice: '" + invoice + "'", "invoice");
                }
                if (!"draft".equals(inv.path("status").asText())) {
                    status[0] = 400;
                    return error("invalid_request_error", "invoice_not_editable",
                            "You can only add invoice items to draft invoices.", "invoice");
                }
                item.put("invoice", invoice);
                ((ArrayNode) inv.path("lines").path("data")).add(item);
                inv.put("amount_due", inv.path("amount_due").asLong() + amount);
                inv.put("total", inv.path("total").asLong() + amount);
            } else {
                item.putNull("invoice");
            }
            items.put(id, item);
            return item.toString();
        }
        if (parts.length == 5 && parts[1].equals("v1") && parts[2].equals("invoices") && parts[4].equals("finalize")
                && method.equals("POST")) {
            ObjectNode inv = invoices.get(parts[3]);
            if (inv == null) {
                status[0] = 404;
                return error("invalid_request_error", "resource_missing", "No such invoice: '" + parts[3] + "'", "id");
            }
            if (!"draft".equals(inv.path("status").asText())) {
                status[0] = 400;
                return error("invalid_request_error", "invoice_not_editable",
                        "This invoice is already finalized, you can't re-finalize a non-draft invoice.", null);
            }
            inv.put("status", "open");
            if (form.containsKey("auto_advance")) {
                inv.put("auto_advance", Boolean.parseBoolean(form.get("auto_advance")));
            }
            inv.put("number", String.format("KICK-%04d", numbers.incrementAndGet()));
            return inv.toString();
        }
        if (parts.length == 4 && parts[1].equals("v1") && parts[2].equals("invoices") && method.equals("GET")) {
            ObjectNode inv = invoices.get(parts[3]);
            if (inv != null) {
                return inv.toString();
            }
        }
        status[0] = 404;
        return error("invalid_request_error", null, "Unrecognized request URL (" + method + ": " + path + ")", null);
    }

    private static ObjectNode metadata(Map<String, String> form) {
        ObjectNode m = JSON.createObjectNode();
        form.forEach((k, v) -> {
            if (k.startsWith("metadata[") && k.endsWith("]")) {
                m.put(k.substring(9, k.length() - 1), v);
            }
        });
        return m;
    }

    private static String error(String type, String code, String message, String param) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("type", type);
        if (code != null) {
            e.put("code", code);
        }
        e.put("message", message);
        if (param != null) {
            e.put("param", param);
        }
        return root.toString();
    }

    private static Map<String, String> decode(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw.isBlank()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void send(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Request-Id", "req_" + Long.toHexString(System.nanoTime()));
        headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Every distinct idempotency key it has seen, in order. */
    public List<String> idempotencyKeys() {
        List<String> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.idempotencyKey() != null && !out.contains(r.idempotencyKey())) {
                out.add(r.idempotencyKey());
            }
        }
        return out;
    }
}
