package dev.kickoff.api.workspace;

import dev.kickoff.core.id.IdGenerator;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Seed 002 names everything by UUID; Kickoff's IDs are numbers. This is a reversible encoding, not a lookup:
 * an RFC 9562 version 8 ("custom") UUID whose first 48 bits spell {@code kickof} in ASCII, then the version
 * nibble {@code 8}, a kind nibble, a position byte (a step's position, for node runs and workflow nodes), the
 * variant bits {@code 10}, and the 53-bit ID in the last 62 bits:
 * <pre>
 *   6b69636b-6f66-8KPP-8III-IIIIIIIIIIII      K = kind, PP = position, I = ID (hex)
 *   6b69636b-6f66-8200-8000-00000000007b      workflow 123
 * </pre>
 * Anything that is not such a UUID of the expected kind (another vendor's UUID, a run's UUID where a workflow's
 * belongs, a stray position) decodes to "no such ID", which the API answers with 404. Plain numeric IDs are
 * accepted too.
 */
public final class WorkspaceIds {
    static final long TAG = 0x6b69636b6f66L;  // "kickof"
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,16}");
    private static final long ID_BITS = (1L << 62) - 1;
    private static final long MAX_ID = (1L << 53) - 1;

    public enum Kind {
        WORKSPACE(1), WORKFLOW(2), RUN(3), NODE_RUN(4), WORKFLOW_NODE(5);

        final int code;

        Kind(int code) {
            this.code = code;
        }
    }

    private WorkspaceIds() {
    }

    public static String encode(Kind kind, long id) {
        return encode(kind, id, 0);
    }

    /** @param position a step's position in its workflow (0 to 255); 0 for kinds that have none */
    public static String encode(Kind kind, long id, int position) {
        if (id <= 0 || id > MAX_ID || position < 0 || position > 255) {
            throw new IllegalArgumentException("cannot encode " + kind + " " + id + "/" + position);
        }
        long msb = (TAG << 16) | (8L << 12) | ((long) kind.code << 8) | position;
        long lsb = Long.MIN_VALUE | id;  // variant 10
        return new UUID(msb, lsb).toString();
    }

    /** The ID a UUID (or a plain number) of {@code kind} stands for, or -1 when it names nothing of ours. */
    public static long decode(String text, Kind kind) {
        if (text != null && NUMBER.matcher(text).matches()) {
            return IdGenerator.parse(text);
        }
        if (text == null || !UUID_TEXT.matcher(text).matches()) {
            return -1;
        }
        UUID uuid = UUID.fromString(text);
        long msb = uuid.getMostSignificantBits();
        long lsb = uuid.getLeastSignificantBits();
        boolean ours = (msb >>> 16) == TAG && ((msb >>> 12) & 0xF) == 8 && ((msb >>> 8) & 0xF) == kind.code
                && (msb & 0xFF) == 0 && (lsb >>> 62) == 2;
        long id = lsb & ID_BITS;
        return ours && id > 0 && id <= MAX_ID ? id : -1;
    }
}
