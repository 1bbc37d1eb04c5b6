package dev.kickoff.api.workspace;

import dev.kickoff.api.workspace.WorkspaceIds.Kind;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkspaceIdsTest {
    @Test
    void encodesAsAVersion8UuidAndDecodesBack() {
        // the README's examples
        assertThat(WorkspaceIds.encode(Kind.WORKFLOW, 123)).isEqualTo("6b69636b-6f66-8200-8000-00000000007b");
        assertThat(WorkspaceIds.encode(Kind.RUN, 327680000041395L)).isEqualTo("6b69636b-6f66-8300-8001-2a05f200a1b3");
        UUID uuid = UUID.fromString(WorkspaceIds.encode(Kind.RUN, 123));
        assertThat(uuid.version()).isEqualTo(8);
        assertThat(uuid.variant()).isEqualTo(2);
        for (long id : new long[]{1, 123, 4096L * 1_000_000_000L, (1L << 53) - 1}) {
            for (Kind kind : Kind.values()) {
                String text = WorkspaceIds.encode(kind, id);
                assertThat(WorkspaceIds.decode(text, kind)).as(text).isEqualTo(id);
                assertThat(WorkspaceIds.decode(text.toUpperCase(), kind)).isEqualTo(id);
            }
        }
        assertThat(WorkspaceIds.encode(Kind.NODE_RUN, 5, 2)).isEqualTo("6b69636b-6f66-8402-8000-000000000005");
    }

    @Test
    void uuidsThatAreNotOursOrNotOfTheKindNameNothing() {
        String workflow = WorkspaceIds.encode(Kind.WORKFLOW, 123);
        assertThat(WorkspaceIds.decode(workflow, Kind.RUN)).isEqualTo(-1);
        assertThat(WorkspaceIds.decode(WorkspaceIds.encode(Kind.NODE_RUN, 123, 1), Kind.NODE_RUN)).isEqualTo(-1);
        for (String other : new String[]{
                "3c90c3cc-0d44-4b50-8888-8dd25736052a",          // the seed's example UUID
                UUID.randomUUID().toString(),
                "6b69636b-6f66-4200-8000-00000000007b",          // wrong version
                "6b69636b-6f66-8200-c000-00000000007b",          // wrong variant
                "6b69636b-6f66-8200-8000-000000000000",          // ID 0
                "6b69636b-6f66-8200-8040-000000000001",          // above 2^53
                "6b69636b-6f67-8200-8000-00000000007b",          // wrong tag
                "6b69636b6f6682008000000000007b", "1-1-1-1-1", "", "not-a-uuid", "0", "-5",
                "6b69636b-6f66-8200-8000-00000000007b ", null}) {
            assertThat(WorkspaceIds.decode(other, Kind.WORKFLOW)).as(other).isEqualTo(-1);
        }
        assertThat(WorkspaceIds.decode("123", Kind.WORKFLOW)).as("plain numeric IDs").isEqualTo(123);
        assertThatThrownBy(() -> WorkspaceIds.encode(Kind.RUN, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkspaceIds.encode(Kind.RUN, 1L << 53)).isInstanceOf(IllegalArgumentException.class);
    }
}
