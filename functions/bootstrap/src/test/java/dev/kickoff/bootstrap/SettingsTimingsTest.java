package dev.kickoff.bootstrap;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The run lifecycle's waits as the environment gives them: whole seconds (the template), or fractions (the tests). */
class SettingsTimingsTest {
    @Test
    void wholeSecondsAsTheTemplateGivesThem() {
        var timings = Settings.timings(Map.of("KICKOFF_SWEEP_GRACE_SECONDS", "120", "KICKOFF_RUN_LEASE_SECONDS", " 60 ",
                "KICKOFF_SWEEP_MAX_INTERVAL_SECONDS", "3600"));
        assertThat(timings.sweep().grace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(timings.lease()).isEqualTo(Duration.ofSeconds(60));
        assertThat(timings.sweep().maxInterval()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void fractionsOfASecondDownToTheMillisecond() {
        var timings = Settings.timings(Map.of("KICKOFF_SWEEP_GRACE_SECONDS", "0.3",
                "KICKOFF_SWEEP_MAX_INTERVAL_SECONDS", "1.25"));
        assertThat(timings.sweep().grace()).isEqualTo(Duration.ofMillis(300));
        assertThat(timings.sweep().maxInterval()).isEqualTo(Duration.ofMillis(1250));
    }

    @Test
    void finerThanAMillisecondOrNotANumberIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> Settings.timings(Map.of("KICKOFF_SWEEP_GRACE_SECONDS", "0.0005")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KICKOFF_SWEEP_GRACE_SECONDS");
        assertThatThrownBy(() -> Settings.timings(Map.of("KICKOFF_RUN_LEASE_SECONDS", "a minute")))
                .isInstanceOf(NumberFormatException.class);
    }
}
