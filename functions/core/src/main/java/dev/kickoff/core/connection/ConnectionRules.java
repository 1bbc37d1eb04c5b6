package dev.kickoff.core.connection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.template.Templates;
import dev.kickoff.core.webhook.AddressPolicy;
import dev.kickoff.core.webhook.WebhookUrls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each provider's connection must hold, as problems at JSON Pointers into the request body. Checked on the
 * connection as it will be stored (on a replace: the new parts over the old ones), using the names of its secrets
 * only, so a replace that keeps the secrets needs no decryption.
 */
public final class ConnectionRules {
    public static final int MAX_NAME = 100;
    public static final int MAX_SECRETS = 20;
    public static final int MAX_SECRET_CHARS = 4096;
    public static final int MAX_CONFIG_BYTES = 16 * 1024;
    static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");
    /** The one template a connection's header may use: a secret of the connection, by name. */
    public static final Pattern SECRET_REFERENCE = Pattern.compile("\\{\\{\\s*secrets\\.([A-Za-z][A-Za-z0-9_]{0,63})\\s*}}");
    static final Pattern EMAIL = Pattern.compile("[^@\\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
            + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+");
    static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\\.?");

    private ConnectionRules() {
    }

    /** Problems with a connection of {@code provider} holding {@code config} and secrets named {@code secretKeys}. */
    static List<FieldError> check(Provider provider, JsonNode config, Collection<String> secretKeys, boolean local) {
        List<FieldError> problems = new ArrayList<>();
        if (Json.sizeOf(config) > MAX_CONFIG_BYTES) {
            problems.add(new FieldError("/config", "config is larger than " + MAX_CONFIG_BYTES + " bytes"));
            return problems;
        }
        switch (provider) {
            case STRIPE -> {
                allowed(config, Set.of("baseUrl"), "/config", problems);
                allowed(secretKeys, Set.of("apiKey"), problems);
                url(config.get("baseUrl"), false, local, problems);
                if (!secretKeys.contains("apiKey")) {
                    problems.add(new FieldError("/secrets/apiKey", "stripe connections need secrets.apiKey (a secret or restricted key)"));
                }
            }
            case SMTP -> {
                allowed(config, Set.of("host", "port", "from", "starttls"), "/config", problems);
                allowed(secretKeys, Set.of("username", "password"), problems);
                smtpHost(config.get("host"), local, problems);
                JsonNode port = config.get("port");
                if (port != null && !(port.canConvertToInt() && port.isIntegralNumber() && port.intValue() >= 1
                        && port.intValue() <= 65535)) {
                    problems.add(new FieldError("/config/port", "port must be an integer from 1 to 65535 (default 587)"));
                }
                JsonNode from = config.get("from");
                if (from == null || !from.isTextual() || !EMAIL.matcher(from.textValue()).matches()) {
                    problems.add(new FieldError("/config/from", "from must be an email address, e.g. orders@example.com"));
                }
                JsonNode starttls = config.get("starttls");
                if (starttls != null && !starttls.isBoolean()) {
                    problems.add(new FieldError("/config/starttls", "starttls must be true or false (default true)"));
                }
                if (secretKeys.contains("password") && !secretKeys.contains("username")) {
                    problems.add(new FieldError("/secrets/username", "a password needs a username"));
                }
            }
            case HTTP -> {
                allowed(config, Set.of("baseUrl", "headers"), "/config", problems);
                url(config.get("baseUrl"), true, local, problems);
                JsonNode headers = config.get("headers");
                if (headers != null && !headers.isObject()) {
                    problems.add(new FieldError("/config/headers", "headers must be an object of header names to strings"));
                } else if (headers != null) {
                    headers.fields().forEachRemaining(h -> header(h.getKey(), h.getValue(), secretKeys, problems));
                }
            }
        }
        return problems;
    }

    private static void header(String name, JsonNode value, Collection<String> secretKeys, List<FieldError> problems) {
        String where = "/config/headers/" + Templates.escape(name);
        if (!HEADER_NAME.matcher(name).matches()) {
            problems.add(new FieldError(where, "not a valid header name"));
            return;
        }
        if (!value.isTextual()) {
            problems.add(new FieldError(where, "header values must be strings"));
            return;
        }
        String text = value.textValue();
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
            problems.add(new FieldError(where, "header values must not contain line breaks"));
            return;
        }
        Matcher m = SECRET_REFERENCE.matcher(text);
        while (m.find()) {
            if (!secretKeys.contains(m.group(1))) {
                problems.add(new FieldError(where, "refers to secrets." + m.group(1) + ", which this connection does not have"));
            }
        }
        if (m.replaceAll("").contains("{{")) {
            problems.add(new FieldError(where, "connection headers may use {{secrets.<name>}} and no other template"));
        }
    }

    private static void url(JsonNode node, boolean required, boolean local, List<FieldError> problems) {
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(new FieldError("/config/baseUrl", "baseUrl is required: requests with this connection's"
                        + " headers go under it and nowhere else"));
            }
            return;
        }
        String problem = node.isTextual() ? WebhookUrls.problem(node.textValue(), local) : "url must be a string";
        if (problem == null && node.textValue().contains("?")) {
            problem = "url must not have a query";
        }
        if (problem != null) {
            problems.add(new FieldError("/config/baseUrl", outbound(problem).replaceFirst("^url", "baseUrl")));
        }
    }

    private static void smtpHost(JsonNode node, boolean local, List<FieldError> problems) {
        if (node == null || !node.isTextual() || node.textValue().isBlank()) {
            problems.add(new FieldError("/config/host", "host is required: the SMTP server's name, e.g. smtp.example.com"));
            return;
        }
        String host = node.textValue();
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (WebhookUrls.isIpLiteral(literal)) {
            try {
                String refusal = AddressPolicy.refusal(InetAddress.getByName(literal), local);
                if (refusal != null) {
                    problems.add(new FieldError("/config/host", "host is a " + refusal + "; mail goes to public servers only"));
                }
            } catch (UnknownHostException e) {
                problems.add(new FieldError("/config/host", "host is not a valid IP address"));
            }
        } else if (host.length() > 253 || !HOST.matcher(host).matches()) {
            problems.add(new FieldError("/config/host", "host must be a host name or an IP address, without a scheme or port"));
        } else if (!local && (host.equalsIgnoreCase("localhost") || host.toLowerCase(java.util.Locale.ROOT).endsWith(".localhost"))) {
            problems.add(new FieldError("/config/host", "host points at this machine; mail goes to public servers only"));
        }
    }

    /** The webhook URL rules speak of webhooks; for connections they are the same rules for outbound requests. */
    static String outbound(String problem) {
        return problem.replace("webhooks go to public addresses only", "outbound requests go to public addresses only");
    }

    private static void allowed(JsonNode config, Set<String> keys, String where, List<FieldError> problems) {
        config.fieldNames().forEachRemaining(k -> {
            if (!keys.contains(k)) {
                problems.add(new FieldError(where + "/" + Templates.escape(k), "unknown key; allowed: "
                        + String.join(", ", new java.util.TreeSet<>(keys))));
            }
        });
    }

    private static void allowed(Collection<String> secretKeys, Set<String> keys, List<FieldError> problems) {
        for (String k : secretKeys) {
            if (!keys.contains(k)) {
                problems.add(new FieldError("/secrets/" + Templates.escape(k), "unknown secret; allowed: "
                        + String.join(", ", new java.util.TreeSet<>(keys))));
            }
        }
    }

    /** An email address as the rules accept it (a plain {@code local@domain}, no display name). */
    public static boolean isEmail(String text) {
        return text != null && text.length() <= 254 && EMAIL.matcher(text).matches();
    }
}
