package dev.kickoff.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HTTP/1.1 byte for byte over a socket: what the fuzzer needs and no HTTP client allows (control bytes and invalid
 * UTF-8 in the request line and in header values, header counts and sizes past every limit, bodies that contradict
 * their Content-Type). One connection per request ({@code Connection: close}); the answer is read to the end, while
 * the request is still being sent.
 */
final class RawHttp {
    /** A header as bytes on the wire. */
    record Header(byte[] name, byte[] value) {
        static Header of(String name, String value) {
            return new Header(name.getBytes(StandardCharsets.ISO_8859_1), value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The request as it goes on the wire, and a printable description for reports (control bytes escaped). */
    record Request(String method, byte[] target, List<Header> headers, byte[] body) {
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(method.getBytes(StandardCharsets.ISO_8859_1));
            out.write(' ');
            out.writeBytes(target);
            out.writeBytes(" HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
            boolean length = false;
            for (Header h : headers) {
                out.writeBytes(h.name());
                out.writeBytes(": ".getBytes(StandardCharsets.ISO_8859_1));
                out.writeBytes(h.value());
                out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                length |= new String(h.name(), StandardCharsets.ISO_8859_1).equalsIgnoreCase("content-length");
            }
            if (!length && body != null) {
                out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes("Connection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }

        String describe() {
            StringBuilder s = new StringBuilder(method).append(' ').append(printable(target, 200));
            for (Header h : headers) {
                if (new String(h.name(), StandardCharsets.ISO_8859_1).equalsIgnoreCase("authorization")
                        || new String(h.name(), StandardCharsets.ISO_8859_1).equalsIgnoreCase("x-api-key")) {
                    s.append(" [").append(printable(h.name(), 40)).append(": <token>]");
                } else {
                    s.append(" [").append(printable(h.name(), 40)).append(": ").append(printable(h.value(), 80)).append(']');
                }
            }
            if (body != null) {
                s.append(" body(").append(body.length).append(" B): ").append(printable(body, 160));
            }
            return s.toString();
        }
    }

    /** An answer; status -1: none (the connection failed or closed without one). */
    record Response(int status, Map<String, String> headers, byte[] body, String failure) {
        String text() {
            return body == null ? "" : new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return status < 0 ? "no answer (" + failure + ")" : status + " " + printable(body, 300);
        }
    }

    private RawHttp() {
    }

    /**
     * Sends the request from another thread while this one reads the answer: a server may answer from the head and
     * stop reading a large body (API Gateway does, for a bad header or an oversized body), and a client that only
     * reads once its write is done gets a broken pipe instead of that answer.
     */
    static Response send(String host, int port, Request request, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout((int) timeout.toMillis());
            byte[] wire = request.bytes();
            AtomicReference<IOException> writeFailure = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().name("raw-http-writer").start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < wire.length; i += 16 * 1024) {
                        out.write(wire, i, Math.min(16 * 1024, wire.length - i));
                    }
                    out.flush();
                    socket.shutdownOutput();
                } catch (IOException e) {
                    writeFailure.set(e);  // the server answered (or gave up) before it read everything
                }
            });
            byte[] raw;
            try {
                raw = readAll(socket.getInputStream());
            } catch (IOException e) {
                IOException write = writeFailure.get();
                throw write == null || e instanceof SocketTimeoutException ? e
                        : new IOException(e.getMessage() + " (while sending: " + write.getMessage() + ")", e);
            } finally {
                socket.close();
                writer.join(5_000);
            }
            return parse(raw);
        } catch (SocketTimeoutException e) {
            return new Response(-1, Map.of(), null, "no answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            return new Response(-1, Map.of(), null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(-1, Map.of(), null, "interrupted");
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        try {
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            if (out.size() == 0) {
                throw e;
            }
            // a reset after a complete answer (the server closed while our body was still arriving): keep what came
        }
        return out.toByteArray();
    }

    static Response parse(byte[] raw) {
        int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (headEnd < 0) {
            return new Response(-1, Map.of(), raw, raw.length == 0 ? "closed without an answer" : "incomplete answer");
        }
        String head = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) {
            return new Response(-1, Map.of(), raw, "not an HTTP answer: " + printable(lines[0].getBytes(
                    StandardCharsets.ISO_8859_1), 80));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.merge(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip(), (a, b) -> a + ", " + b);
            }
        }
        byte[] rest = java.util.Arrays.copyOfRange(raw, headEnd + 4, raw.length);
        byte[] body = rest;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(rest);
        } else if (headers.containsKey("content-length")) {
            try {
                int length = Integer.parseInt(headers.get("content-length"));
                body = java.util.Arrays.copyOf(rest, Math.min(length, rest.length));
            } catch (NumberFormatException ignored) {
                // keep the rest as the body
            }
        }
        return new Response(Integer.parseInt(status[1]), headers, body, null);
    }

    private static byte[] dechunk(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < data.length) {
            int lineEnd = indexOf(data, "\r\n".getBytes(StandardCharsets.ISO_8859_1), i);
            if (lineEnd < 0) {
                break;
            }
            String size = new String(data, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].strip();
            int n;
            try {
                n = Integer.parseInt(size, 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (n == 0) {
                break;
            }
            int start = lineEnd + 2;
            out.write(data, start, Math.min(n, data.length - start));
            i = start + n + 2;
        }
        return out.toByteArray();
    }

    static int indexOf(byte[] data, byte[] pattern) {
        return indexOf(data, pattern, 0);
    }

    static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Bytes as readable text: printable ASCII kept, everything else as \xNN, cut at {@code max} characters. */
    static String printable(byte[] bytes, int max) {
        if (bytes == null) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
            if (s.length() >= max) {
                return s.append("…(").append(bytes.length).append(" B)").toString();
            }
        }
        return s.toString();
    }

    static List<Header> headers(String... pairs) {
        List<Header> out = new ArrayList<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            out.add(Header.of(pairs[i], pairs[i + 1]));
        }
        return out;
    }
}
