package dev.kickoff.core;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The core is the hexagon's inside: no framework, no cloud SDK. Adapters depend on it, never the reverse. */
@AnalyzeClasses(packages = "dev.kickoff.core", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule noMicronautOrAws = noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "io.micronaut..", "software.amazon..", "com.amazonaws..", "jakarta.inject..", "io.netty..",
            "dev.kickoff.emulators..");

    @ArchTest
    static final ArchRule noIoOfItsOwn = noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "java.net.http..", "java.sql..");
}
