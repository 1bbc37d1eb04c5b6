package dev.kickoff.scheduler;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The scheduler function speaks to AWS only through the core's ports: no SDK client, no adapter class of its own making
 * (the composition root builds them, in the bootstrap), and no emulator (those are for the tests and the local stack).
 */
@AnalyzeClasses(packages = "dev.kickoff.scheduler", importOptions = ImportOption.DoNotIncludeTests.class)
class SchedulerArchitectureTest {
    @ArchTest
    static final ArchRule onlyPorts = noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "software.amazon.awssdk..", "dev.kickoff.adapters..", "dev.kickoff.emulators..");
}
