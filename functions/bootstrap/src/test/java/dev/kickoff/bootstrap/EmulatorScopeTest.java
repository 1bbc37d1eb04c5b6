package dev.kickoff.bootstrap;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emulators are reachable from the tests and the local stack only: no module under functions/ (the functions,
 * the composition root, the adapters, the core) may have them on its main class path, so no Lambda jar can ship
 * DynamoDB Local or ElasticMQ, nor reach them by accident. The function modules' ArchitectureTests check the same on
 * their classes; this checks the build itself.
 */
class EmulatorScopeTest {
    @Test
    void everyFunctionsModuleHasTheEmulatorsInTestScopeOnly() throws Exception {
        Path functions = Path.of("..").toAbsolutePath().normalize();
        List<Path> poms;
        try (Stream<Path> modules = Files.list(functions)) {
            poms = modules.map(m -> m.resolve("pom.xml")).filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(poms).extracting(p -> p.getParent().getFileName().toString())
                .contains("api", "worker", "streams", "delivery", "sweeper", "admin", "bootstrap", "core");

        List<String> outsideTests = new ArrayList<>();
        for (Path pom : poms) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            NodeList dependencies = factory.newDocumentBuilder().parse(pom.toFile()).getElementsByTagName("dependency");
            for (int i = 0; i < dependencies.getLength(); i++) {
                Element dependency = (Element) dependencies.item(i);
                if ("kickoff-emulators".equals(text(dependency, "artifactId"))
                        && !"test".equals(text(dependency, "scope"))) {
                    outsideTests.add(pom.getParent().getFileName().toString());
                }
            }
        }
        assertThat(outsideTests).as("modules with the emulators outside <scope>test</scope>").isEmpty();
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }
}
