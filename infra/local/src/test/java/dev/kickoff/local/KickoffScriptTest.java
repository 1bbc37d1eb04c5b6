package dev.kickoff.local;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The front door script: a mistyped command fails, so a script or CI step that calls it notices. */
class KickoffScriptTest {
    record Result(int exit, String out, String err) {
    }

    static Result kickoff(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = new File("../../kickoff").getCanonicalPath();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownCommandExits2NamingIt() throws Exception {
        Result r = kickoff("frobnicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown command 'frobnicate'").contains("./kickoff test");
    }

    @Test
    void helpStillSucceeds() throws Exception {
        Result r = kickoff("help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("./kickoff start");
    }
}
