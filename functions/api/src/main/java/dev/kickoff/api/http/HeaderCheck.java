package dev.kickoff.api.http;

import java.util.Map;

/**
 * Header values Micronaut cannot hold. Its header map refuses a control character (anything below 0x20 but tab,
 * and DEL, 0x7F) with an exception on every read of the headers, error rendering included, which left such a
 * request a 500 with an empty body before authentication. The API handler asks this first and answers 400.
 */
public final class HeaderCheck {
    private HeaderCheck() {
    }

    /** The name of the first header whose name or value Micronaut would refuse, or null. */
    public static String firstInvalid(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        for (var e : headers.entrySet()) {
            if (!isToken(e.getKey()) || !isValue(e.getValue())) {
                return e.getKey();
            }
        }
        return null;
    }

    private static boolean isValue(String value) {
        if (value == null) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110's token: the characters a header name may have. */
    private static boolean isToken(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
