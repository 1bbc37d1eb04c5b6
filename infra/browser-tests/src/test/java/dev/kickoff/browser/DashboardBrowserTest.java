package dev.kickoff.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.local.KickoffLocal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser: headless Chromium, driven through chromedriver by Selenium, against the whole
 * local stack (KickoffLocal on a free port, as {@code ./kickoff start} runs it). One browser session walks what a
 * user does, in order: sign in (a bad token first: the API's own message is shown), create and revoke a token
 * (its secret shown once), create connections (secrets never shown; a refusal rendered with its pointers), subscribe
 * a webhook, start a run and watch it complete, read the delivery log and replay a delivery; then the policy, the
 * labels, the keyboard and the phone layout. Screenshots at a laptop's and a phone's width go to
 * target/screenshots. Skipped, saying why, only where Chromium or chromedriver is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    static final Dimension LAPTOP = new Dimension(1280, 900);
    static final Dimension PHONE = new Dimension(390, 844);
    static final String SAMPLE_INPUT = "{\"customerId\": \"cus_123\", \"items\": [{\"product\": \"Widget\", "
            + "\"quantity\": 2, \"price\": 1999}]}";
    static final String REFUNDS = "{\"name\": \"Refunds\", \"kind\": \"direct_case\", \"statuses\": [\"Awaiting customer\"], "
            + "\"attributeSchema\": {\"type\": \"object\", \"required\": [\"amount\"], "
            + "\"properties\": {\"amount\": {\"type\": \"number\"}}}, "
            + "\"steps\": [{\"id\": \"ask\", \"type\": \"set_case\", \"config\": {\"status\": \"Awaiting customer\"}}]}";

    Path dataDir;
    Path userDataDir;
    Path screenshots;
    KickoffLocal stack;
    String base;
    ChromeDriverService service;
    ChromeDriver driver;
    WebDriverWait wait;
    final HttpClient http = HttpClient.newHttpClient();
    HttpServer receiver;
    final AtomicInteger received = new AtomicInteger();
    final List<String> consoleProblems = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path chromium = Path.of(System.getProperty("kickoff.chromium", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getProperty("kickoff.chromedriver", "/usr/bin/chromedriver"));
        boolean installed = Files.isExecutable(chromium) && Files.isExecutable(chromedriver);
        String missing = "no Chromium at " + chromium + " or no chromedriver at " + chromedriver
                + " (install them with: apt-get update && apt-get install -y chromium chromium-driver, as .ci/run does)";
        // CI installs them (.ci/run): there, their absence is a broken build, not a reason to skip.
        assertThat(installed || System.getenv("CI") == null).as(missing).isTrue();
        Assumptions.assumeTrue(installed, "browser tests skipped: " + missing);
        screenshots = Path.of(System.getProperty("kickoff.screenshots", "target/screenshots"));
        Files.createDirectories(screenshots);
        dataDir = Files.createTempDirectory("kickoff-browser-stack");
        stack = KickoffLocal.start(new KickoffLocal.Options(0, dataDir, CloudFormationTemplate.locate(), 2));
        base = stack.baseUrl();

        // A webhook receiver on loopback (the local stack allows http://localhost endpoints).
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.incrementAndGet();
            byte[] answer = "{\"thanks\": \"received by the browser test\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.start();

        userDataDir = Files.createTempDirectory("kickoff-browser-profile");
        service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort()
                .withLogFile(Path.of("target/chromedriver.log").toFile()).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + userDataDir, "--window-size=" + LAPTOP.width + "," + LAPTOP.height);
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);  // lists re-render after each change
    }

    @AfterAll
    void stop() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
        if (stack != null) {
            stack.close();
        }
        for (Path dir : new Path[] {userDataDir, dataDir}) {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    @Order(1)
    void signInRefusesABadTokenInTheApisWordsThenKeepsTheGoodOneInTheTabOnly() throws Exception {
        driver.get(base + "/app");
        wait.until(ExpectedConditions.urlToBe(base + "/app/"));
        heading("Sign in to Kickoff");
        assertThat(driver.findElement(By.id("nav")).isDisplayed()).as("no menu before sign-in").isFalse();

        String wrong = "mgt_thisTokenWasNeverIssuedToAnyone";
        driver.findElement(By.id("manage-token")).sendKeys(wrong);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=api-error]")));
        JsonNode refusal = api("GET", "/api/manage/v1/workflows?limit=1", wrong, null).json();
        assertThat(error.findElement(By.className("error-message")).getText()).isEqualTo(refusal.get("error").asText());
        assertThat(error.getText()).contains("HTTP 401");
        assertThat(driver.findElement(By.id("manage-token")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(driver.getCurrentUrl()).doesNotContain(wrong).doesNotContain("mgt_");
        shoot("sign-in-refused");

        WebElement input = driver.findElement(By.id("manage-token"));
        input.clear();
        input.sendKeys(stack.manageToken());
        input.sendKeys(Keys.ENTER);
        heading("Workflows");
        assertThat(table("workflows").getText()).contains("Process Customer Order");
        assertThat(driver.getCurrentUrl()).doesNotContain(stack.manageToken()).endsWith("/app/#/workflows");
        assertThat(js("return sessionStorage.getItem('kickoff.manageToken')")).isEqualTo(stack.manageToken());
        assertThat(js("return localStorage.length")).isEqualTo(0L);
        assertThat(js("return document.cookie")).isEqualTo("");
        assertThat(driver.findElement(By.cssSelector("#nav a[aria-current=page]")).getText()).isEqualTo("Workflows");
        assertThat(driver.findElements(By.cssSelector("#nav a"))).extracting(WebElement::getText)
                .as("the run views come in the next pass: no menu entry for them yet")
                .containsExactly("Workflows", "Webhooks", "Connections", "Tokens");
        shoot("workflows");
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(2)
    void aTokenIsCreatedWithItsSecretShownOnceThenRevoked() throws Exception {
        menu("Tokens");
        heading("Tokens");
        field("Name").sendKeys("browser-ci");
        button("Create token").click();
        WebElement secretField = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=secret]")));
        String secret = secretField.getDomProperty("value");
        assertThat(secret).startsWith("api_");
        assertThat(button("Copy secret").isDisplayed()).isTrue();
        WebElement row = wait.until(d -> row("tokens", "browser-ci"));
        assertThat(row.getText()).contains(secret.substring(0, 8) + "…").doesNotContain(secret);
        assertThat(driver.getPageSource()).as("the secret is never markup").doesNotContain(secret);
        assertThat(api("GET", "/api/v1/runs/run_1", secret, null).status()).as("the new token works").isEqualTo(404);
        shoot("token-secret-once");

        button("Copy secret").click();
        wait.until(d -> announced().contains("Copied") || announced().contains("press Ctrl+C"));
        button("I have copied it").click();
        assertThat(driver.findElements(By.cssSelector("[data-testid=secret]"))).as("gone from the page").isEmpty();

        driver.findElement(By.cssSelector("button[aria-label^='Revoke browser-ci']")).click();
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("dialog")));
        assertThat(dialog.getText()).contains("Revoke browser-ci?");
        shoot("token-revoke-dialog");
        dialog.findElement(By.cssSelector("[data-testid=confirm]")).click();
        wait.until(d -> row("tokens", "browser-ci") == null);
        assertThat(api("GET", "/api/v1/runs/run_1", secret, null).status()).as("revoked").isEqualTo(401);
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(3)
    void connectionsTakeSecretsAndNeverShowThemAndARefusalShowsItsPointers() throws Exception {
        menu("Connections");
        heading("Connections");
        driver.findElement(By.linkText("New connection")).click();
        heading("New connection");
        new Select(driver.findElement(By.cssSelector("[data-testid=provider]"))).selectByValue("http");
        field("Name").sendKeys("Billing API");
        assertThat(driver.findElement(By.cssSelector("[data-testid=connection-config]")).getDomProperty("value"))
                .contains("https://api.example.com").contains("{{secrets.token}}");
        assertThat(driver.findElement(By.cssSelector(".secret-name")).getDomProperty("value")).isEqualTo("token");
        String secretValue = "s3cr3t-value-from-the-browser-test";
        driver.findElement(By.cssSelector(".secret-value")).sendKeys(secretValue);
        assertThat(driver.findElement(By.cssSelector(".secret-value")).getAttribute("type")).isEqualTo("password");
        button("Create connection").click();
        heading("Billing API");
        assertThat(driver.findElement(By.cssSelector("[data-testid=notice]")).getText()).contains("sealed");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("token").doesNotContain(secretValue);
        assertThat(driver.getPageSource()).doesNotContain(secretValue);
        shoot("connection");

        // A refusal: a Stripe connection whose apiKey is empty. The page shows what the API says, pointers included.
        driver.findElement(By.linkText("← All connections")).click();
        assertThat(table("connections").getText()).contains("Billing API").doesNotContain(secretValue);
        driver.findElement(By.linkText("New connection")).click();
        heading("New connection");
        new Select(driver.findElement(By.cssSelector("[data-testid=provider]"))).selectByValue("stripe");
        field("Name").sendKeys("Stripe test");
        button("Create connection").click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=api-error]")));
        JsonNode refusal = api("POST", "/api/manage/v1/connections", stack.manageToken(),
                "{\"provider\": \"stripe\", \"name\": \"Stripe test\", \"config\": {}, \"secrets\": {\"apiKey\": \"\"}}").json();
        assertThat(error.findElement(By.className("error-message")).getText()).isEqualTo(refusal.get("message").asText());
        assertThat(refusal.get("validation_errors")).isNotEmpty();
        for (JsonNode problem : refusal.get("validation_errors")) {
            assertThat(error.getText()).contains(problem.get("path").asText() + ": " + problem.get("error").asText());
        }
        assertThat(error.getText()).contains("/secrets/apiKey").contains("HTTP 422");
        assertThat(driver.findElement(By.cssSelector(".secret-value")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(driver.switchTo().activeElement().getAttribute("data-testid")).as("focus on the message").isEqualTo("api-error");
        shoot("connection-refused");
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(4)
    void aWebhookIsSubscribedWithItsSecretShownOnce() throws Exception {
        menu("Webhooks");
        heading("Webhooks");
        field("Endpoint URL").sendKeys("http://localhost:" + receiver.getAddress().getPort() + "/hooks");
        button("Create webhook").click();
        WebElement secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=secret]")));
        assertThat(secret.getDomProperty("value")).startsWith("whsec_");
        wait.until(d -> row("webhooks", "/hooks") != null);
        shoot("webhooks");
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(5)
    void aRunIsStartedWithAnApiTokenAndWatchedUntilItCompletes() throws Exception {
        menu("Workflows");
        heading("Workflows");
        table("workflows").findElement(By.linkText("Process Customer Order")).click();
        heading("Process Customer Order");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("Definition (version 1)")
                .contains("calculate-total");
        WebElement input = driver.findElement(By.cssSelector("[data-testid=run-input]"));
        input.clear();
        input.sendKeys(SAMPLE_INPUT);
        driver.findElement(By.cssSelector("[data-testid=api-token]")).sendKeys(stack.apiToken());
        driver.findElement(By.cssSelector("[data-testid=start-run]")).click();
        WebElement result = driver.findElement(By.cssSelector("[data-testid=run-result]"));
        wait.until(d -> result.getText().contains("completed"));
        assertThat(result.getText()).contains("4317.84").contains("3998");
        assertThat(js("return sessionStorage.getItem('kickoff.apiToken')")).isEqualTo(stack.apiToken());
        assertThat(driver.getCurrentUrl()).doesNotContain("api_");
        shoot("run-completed");
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(6)
    void aCaseWorkflowIsCreatedPublishedAndEditedAndItsCasesListedByStatus() throws Exception {
        menu("Workflows");
        heading("Workflows");
        driver.findElement(By.linkText("New workflow")).click();
        heading("New workflow");
        WebElement definition = driver.findElement(By.cssSelector("[data-testid=definition]"));
        definition.clear();
        definition.sendKeys(REFUNDS.replace("\"set_case\"", "\"email\""));
        button("Create workflow").click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=api-error]")));
        assertThat(error.getText()).contains("/steps/0/type").contains("HTTP 422");
        assertThat(definition.getAttribute("aria-invalid")).isEqualTo("true");

        definition.clear();
        definition.sendKeys(REFUNDS);
        button("Create workflow").click();
        heading("Refunds");
        assertThat(driver.findElement(By.cssSelector("[data-testid=notice]")).getText()).contains("draft");
        driver.findElement(By.cssSelector("[data-testid=publish-latest]")).click();
        notice("Version 1 is published");
        assertThat(driver.findElements(By.cssSelector("[data-testid=start-run]"))).as("cases start runs, not the runs API")
                .isEmpty();
        String workflowId = driver.getCurrentUrl().replaceAll(".*#/workflows/", "");
        var created = api("POST", "/api/external/v1/workflows/" + workflowId + "/cases", stack.apiToken(),
                "{\"subject\": \"Refund request\", \"attributes\": {\"amount\": 42}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);

        driver.findElement(By.linkText("Cases by status")).click();
        heading("Cases of Refunds");
        new Select(field("Status")).selectByValue("Awaiting customer");
        button("Show").click();
        // The case's run moves it from Open to Awaiting customer; the list shows it there once it has.
        wait.until(d -> {
            if (row("cases", "Refund request") != null) {
                return true;
            }
            d.navigate().refresh();
            return false;
        });
        assertThat(row("cases", "Refund request").getText()).contains("Awaiting customer").contains("\"amount\":42");
        shoot("cases");

        driver.findElement(By.linkText("← Refunds")).click();
        heading("Refunds");
        driver.findElement(By.linkText("Edit (saves a new version)")).click();
        heading("Edit Refunds");
        definition = driver.findElement(By.cssSelector("[data-testid=definition]"));
        definition.clear();
        definition.sendKeys(REFUNDS.replace("\"name\": \"Refunds\"", "\"name\": \"Refunds\", \"description\": \"v2\""));
        button("Save new version").click();
        heading("Refunds");
        assertThat(driver.findElement(By.cssSelector("[data-testid=notice]")).getText()).contains("version 2");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("Definition (version 2)").contains("\"v2\"")
                .contains("runs use version 1");
        assertThat(driver.findElement(By.cssSelector("[data-testid=publish-latest]")).getText()).isEqualTo("Publish version 2");
        shoot("workflow");
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(7)
    void theDeliveryLogShowsTheResponseExcerptAndADeliveryIsReplayedThenTheSecretRotated() throws Exception {
        menu("Webhooks");
        heading("Webhooks");
        driver.findElement(By.partialLinkText("/hooks")).click();
        heading("Webhook");
        // The completed run's event reaches the receiver through the stream and delivery functions.
        wait.withTimeout(Duration.ofSeconds(60)).until(d -> {
            if (received.get() > 0 && row("deliveries", "succeeded") != null) {
                return true;
            }
            d.navigate().refresh();
            return false;
        });
        WebElement delivery = row("deliveries", "succeeded");
        assertThat(delivery.getText()).contains("run.completed").contains("HTTP 200").contains("received by the browser test");
        shoot("delivery-log");

        int before = received.get();
        delivery.findElement(By.xpath(".//button[text()='Replay']")).click();
        notice("Replaying");
        wait.until(d -> received.get() > before);

        button("Rotate secret").click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("dialog")))
                .findElement(By.cssSelector("[data-testid=confirm]")).click();
        WebElement secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=secret]")));
        assertThat(secret.getDomProperty("value")).startsWith("whsec_");
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(8)
    void thePolicyIsEnforcedAndNoPageHasInlineScriptStyleOrHandlers() throws Exception {
        var shell = http.send(HttpRequest.newBuilder(URI.create(base + "/app/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(shell.headers().firstValue("content-security-policy")).hasValue(CSP);
        assertThat(shell.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(shell.headers().firstValue("referrer-policy")).hasValue("no-referrer");
        assertThat(shell.headers().firstValue("cache-control")).hasValue("no-cache");

        for (String page : List.of("#/workflows", "#/tokens", "#/webhooks", "#/connections", "#/connections/new")) {
            driver.get(base + "/app/" + page);
            wait.until(d -> !d.findElements(By.cssSelector("main h1")).isEmpty());
            assertThat(js("return document.querySelectorAll('script:not([src])').length")).as(page).isEqualTo(0L);
            assertThat(js("return [...document.querySelectorAll('*')].filter(e => [...e.attributes]"
                    + ".some(a => a.name.startsWith('on') || a.name === 'style')).length")).as(page).isEqualTo(0L);
            for (Object src : (List<?>) js("return [...document.scripts].map(s => s.src)")) {
                assertThat(src.toString()).startsWith(base + "/app/assets/");
            }
        }
        assertNoScriptOrPolicyErrors();

        // The browser enforces it: a script injected inline does not run, and says why.
        js("const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';"
                + " document.head.appendChild(s); return null;");
        assertThat(js("return window.inlineRan === true")).isEqualTo(false);
        assertThat(driver.manage().logs().get(LogType.BROWSER).getAll()).extracting(LogEntry::getMessage)
                .anyMatch(m -> m.contains("Content Security Policy"));
    }

    @Test
    @Order(9)
    void everyControlHasALabelTheKeyboardReachesThemAndPhonesDoNotScrollSideways() throws Exception {
        String unlabelled = "return [...document.querySelectorAll('input, select, textarea, button')]"
                + ".filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')"
                + " && !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON' && el.textContent.trim()))"
                + ".map(el => el.outerHTML.slice(0, 120))";
        for (String page : List.of("#/workflows", "#/workflows/new", "#/tokens", "#/webhooks", "#/connections",
                "#/connections/new")) {
            driver.get(base + "/app/" + page);
            wait.until(d -> !d.findElements(By.cssSelector("main h1")).isEmpty());
            assertThat((List<?>) js(unlabelled)).as(page).isEmpty();
            driver.manage().window().setSize(PHONE);
            waitForLayout();
            assertThat(js("return document.documentElement.scrollWidth <= window.innerWidth + 1")).as(page).isEqualTo(true);
            driver.manage().window().setSize(LAPTOP);
        }

        // Keyboard only, from a fresh load: the skip link comes first and takes focus to the content; Tab reaches
        // the token form; Enter submits it.
        driver.get(base + "/app/#/tokens");
        driver.navigate().refresh();
        heading("Tokens");
        new Actions(driver).sendKeys(Keys.TAB).perform();
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Skip to content");
        new Actions(driver).sendKeys(Keys.ENTER).perform();
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Tokens");
        assertThat(driver.getCurrentUrl()).endsWith("/app/#/tokens");
        WebElement name = field("Name");
        for (int i = 0; i < 20 && !name.equals(driver.switchTo().activeElement()); i++) {
            new Actions(driver).sendKeys(Keys.TAB).perform();
        }
        assertThat(driver.switchTo().activeElement()).as("Tab reaches the Name field").isEqualTo(name);
        new Actions(driver).sendKeys("keyboard only").sendKeys(Keys.ENTER).perform();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=secret]")));
        assertThat(driver.switchTo().activeElement().getAttribute("class")).as("focus moves to the secret").contains("secret-once");
        assertThat(js("return getComputedStyle(document.activeElement).outlineStyle")).isNotEqualTo("none");
        shoot("tokens");

        driver.findElement(By.cssSelector("[data-testid=sign-out]")).click();
        heading("Sign in to Kickoff");
        assertThat(js("return sessionStorage.length")).as("sign-out forgets both tokens").isEqualTo(0L);
        assertNoScriptOrPolicyErrors();
    }

    // ---- helpers

    record Answer(int status, String body) {
        JsonNode json() {
            return Json.parse(body);
        }
    }

    Answer api(String method, String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    /** Waits for the page titled {@code text} to have rendered what it loads (main is aria-busy until then). */
    void heading(String text) {
        wait.until(ExpectedConditions.textToBe(By.cssSelector("main h1"), text));
        settled();
    }

    void settled() {
        wait.until(d -> d.findElements(By.cssSelector("main[aria-busy]")).isEmpty());
    }

    void menu(String label) {
        driver.findElement(By.cssSelector("#nav")).findElement(By.linkText(label)).click();
    }

    /** The control a label names (by the label's for attribute), as a user finds it. */
    WebElement field(String label) {
        WebElement l = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//main//label[normalize-space(text())='" + label + "']")));
        return driver.findElement(By.id(l.getAttribute("for")));
    }

    WebElement table(String testid) {
        return wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table[data-testid='" + testid + "']")));
    }

    /** The first row of a table containing {@code text}, or null (also while the table is being replaced). */
    WebElement row(String testid, String text) {
        try {
            for (WebElement tr : driver.findElements(By.cssSelector("table[data-testid='" + testid + "'] tbody tr"))) {
                if (tr.getText().contains(text)) {
                    return tr;
                }
            }
        } catch (StaleElementReferenceException e) {
            return null;
        }
        return null;
    }

    /** The button saying {@code text}, once the page shows it and it can be clicked. */
    WebElement button(String text) {
        return wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//button[text()='" + text + "']")));
    }

    /** Waits for the page's notice (what the last action did) to say {@code text}. */
    void notice(String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("[data-testid=notice]"), text));
        settled();
    }

    String announced() {
        return driver.findElement(By.id("announcer")).getText();
    }

    void waitForLayout() {
        ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(done));");
    }

    /** The page at a laptop's and a phone's width, to target/screenshots; at the phone's, nothing scrolls sideways. */
    void shoot(String name) throws IOException {
        for (var size : List.of(Map.entry("laptop", LAPTOP), Map.entry("phone", PHONE))) {
            driver.manage().window().setSize(size.getValue());
            waitForLayout();
            if (size.getKey().equals("phone")) {
                assertThat(js("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
                        .as(name + " fits a phone's width").isEqualTo(true);
            }
            Files.write(screenshots.resolve(name + "-" + size.getKey() + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        }
        driver.manage().window().setSize(LAPTOP);
        waitForLayout();
    }

    /**
     * No uncaught script error and no policy violation in the console since the last look. Refused requests the
     * test makes on purpose (401, 422) are logged by the browser as failed loads; those are expected.
     */
    void assertNoScriptOrPolicyErrors() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER).getAll()) {
            String message = entry.getMessage();
            if (message.contains("Content Security Policy") || message.contains("Uncaught")
                    || (entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()
                    && !message.contains("Failed to load resource"))) {
                consoleProblems.add(message);
            }
        }
        assertThat(consoleProblems).isEmpty();
    }
}
