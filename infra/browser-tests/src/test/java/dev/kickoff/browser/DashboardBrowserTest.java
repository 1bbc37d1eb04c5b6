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
 * a webhook, start a run and watch it complete, open the run and its steps, list a workflow's runs (refreshed live,
 * filtered by status), signal, cancel, retry (refused) and replay runs, read the delivery log and replay a delivery;
 * then the policy, the labels, the keyboard and the phone layout; then (signed in again) create a schedule (a refusal
 * first), pause, resume and delete it, and read the month's usage chart and table once a run completes. Screenshots
 * at a laptop's and a phone's width go to target/screenshots. Skipped, saying why, only where Chromium or chromedriver is not installed.
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

    static final String APPROVAL = "{\"name\": \"Approval\", \"output\": {\"by\": \"{{steps.approve.output.by}}\"}, "
            + "\"steps\": [{\"id\": \"total\", \"type\": \"transform\", \"config\": {\"mapping\": {\"total\": 42}}}, "
            + "{\"id\": \"approve\", \"type\": \"wait_for_signal\", \"config\": {\"signal\": \"approved\"}}, "
            + "{\"id\": \"done\", \"type\": \"transform\", \"config\": {\"mapping\": {\"approved\": true}}}]}";

    Path dataDir;
    /** Set as the tests go: the completed run's page (#/workflows/…/runs/…) and the signal workflow's ID. */
    String completedRunPath;
    String approvalId;
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
        // Polled every 100 ms, not the default 500 ms: the walk has dozens of waits, each for something that is
        // usually there within a moment.
        wait = new WebDriverWait(driver, Duration.ofSeconds(30), Duration.ofMillis(100));
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
                .containsExactly("Workflows", "Runs", "Webhooks", "Schedules", "Connections", "Tokens", "Usage");
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

        // The run's own page: status, input, output, and its steps, each opening to what it received and returned.
        WebElement open = driver.findElement(By.linkText("Open the run"));
        completedRunPath = open.getDomAttribute("href");
        String runId = completedRunPath.replaceAll(".*/runs/", "");
        open.click();
        heading("Run " + runId);
        assertThat(driver.findElement(By.cssSelector("[data-testid=run-status]")).getText()).isEqualTo("completed");
        WebElement run = driver.findElement(By.cssSelector("[data-testid=run]"));
        assertThat(run.getText()).contains("4317.84").contains("cus_123").contains("Steps (1)");
        WebElement step = driver.findElement(By.cssSelector("[data-testid=steps] details[data-step=calculate-total]"));
        assertThat(step.getDomProperty("open")).isEqualTo("false");
        step.findElement(By.tagName("summary")).click();
        WebElement body = step.findElement(By.className("step-body"));
        wait.until(ExpectedConditions.visibilityOf(body));
        JsonNode recorded = api("GET", "/api/manage/v1/runs/" + runId, stack.manageToken(), null).json()
                .get("workflow_run").get("steps").get(0);
        assertThat(body.getText()).contains("transform").contains("4317.84").contains("Input").contains("Output");
        assertThat(fact(body, "Attempts")).isEqualTo(String.valueOf(recorded.get("attempts").asInt()));
        assertThat(fact(body, "Duration")).isNotEqualTo("—");
        assertThat(step.findElement(By.tagName("summary")).getText()).contains("completed")
                .contains(recorded.get("attempts").asInt() == 1 ? "1 attempt" : "attempts");
        assertThat(driver.findElements(By.cssSelector("[data-testid=cancel-run]"))).as("a finished run is not cancelled")
                .isEmpty();
        assertThat(driver.findElements(By.cssSelector("[data-testid=retry-run]"))).as("nor retried").isEmpty();
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", step);
        shoot("run-steps");
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(6)
    void aWorkflowsRunsAreListedNewestFirstRefreshedLiveAndFilteredByStatus() throws Exception {
        approvalId = Json.parse(api("POST", "/api/manage/v1/workflows", stack.manageToken(), APPROVAL).body())
                .get("workflow").get("id").asText();
        assertThat(api("POST", "/api/manage/v1/workflows/" + approvalId + "/publish", stack.manageToken(), null).status())
                .isEqualTo(200);
        String first = startApproval();

        menu("Runs");
        heading("Runs");
        table("run-workflows").findElement(By.linkText("Runs of Approval")).click();
        heading("Runs of Approval");
        wait.until(d -> row("runs", first) != null && row("runs", first).getText().contains("suspended"));
        assertThat(driver.findElement(By.cssSelector("[data-testid=live-state]")).getText()).contains("refreshing");

        // Started while the list is open: the list shows it on its own, on top.
        String second = startApproval();
        // (the list is redrawn every 2 seconds while a run is unfinished, so it is read inside waits)
        wait.until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("table[data-testid=runs] tbody tr"));
            return rows.size() == 2 && rows.get(0).getText().contains(second) && rows.get(1).getText().contains(first);
        });
        shoot("runs");

        new Select(field("Status")).selectByValue("completed");
        button("Show").click();
        wait.until(d -> d.findElement(By.tagName("main")).getText().contains("No completed runs."));
        assertThat(driver.getCurrentUrl()).endsWith("/runs?status=completed");
        new Select(field("Status")).selectByValue("suspended");
        button("Show").click();
        wait.until(d -> row("runs", second) != null && row("runs", first) != null);
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(7)
    void aRunIsSignalledCancelledRetriedInVainAndReplayedWithTheApisMessagesOnRefusals() throws Exception {
        String first = startApproval();
        driver.get(base + "/app/#/workflows/" + approvalId + "/runs/" + first);
        heading("Run " + first);
        wait.until(d -> d.findElement(By.cssSelector("[data-testid=run-status]")).getText().equals("suspended"));
        // (an unfinished run's page is redrawn every second, so what it shows is read inside waits)
        wait.until(d -> fact(d.findElement(By.cssSelector("[data-testid=run]")), "Waiting for signal").equals("approved"));

        // A signal no step waits for: refused, in the API's words.
        WebElement name = driver.findElement(By.cssSelector("[data-testid=signal-name]"));
        name.clear();
        name.sendKeys("nope");
        button("Send signal").click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=api-error]")));
        JsonNode refusal = api("POST", "/api/manage/v1/runs/" + first + "/signals", stack.manageToken(),
                "{\"signal\": \"nope\", \"payload\": {}}").json();
        assertThat(error.findElement(By.className("error-message")).getText()).isEqualTo(message(refusal));
        shoot("run-signal-refused");

        name = driver.findElement(By.cssSelector("[data-testid=signal-name]"));
        name.clear();
        name.sendKeys("approved");
        WebElement payload = driver.findElement(By.cssSelector("[data-testid=signal-payload]"));
        payload.clear();
        payload.sendKeys("{\"by\": \"ana\"}");
        button("Send signal").click();
        notice("Signal approved sent");
        // The page follows the run until it completes; the wait's step shows the payload as its output.
        wait.until(d -> d.findElement(By.cssSelector("[data-testid=run-status]")).getText().equals("completed"));
        WebElement approve = driver.findElement(By.cssSelector("[data-testid=steps] details[data-step=approve]"));
        approve.findElement(By.tagName("summary")).click();
        assertThat(approve.findElement(By.className("step-body")).getText()).contains("wait_for_signal").contains("ana");
        assertThat(driver.findElement(By.cssSelector("[data-testid=run]")).getText()).contains("Steps (3)");
        shoot("run-signalled");

        // Cancel an unfinished run (with a reason), then try to retry it: the API says to replay it instead.
        String second = startApproval();
        driver.get(base + "/app/#/workflows/" + approvalId + "/runs/" + second);
        heading("Run " + second);
        driver.findElement(By.cssSelector("[data-testid=cancel-reason]")).sendKeys("no longer needed");
        button("Cancel run").click();
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("dialog")));
        assertThat(dialog.getText()).contains("Cancel run " + second + "?");
        dialog.findElement(By.cssSelector("[data-testid=confirm]")).click();
        notice("cancelled");
        assertThat(driver.findElement(By.cssSelector("[data-testid=run-status]")).getText()).isEqualTo("failed");
        assertThat(driver.findElement(By.cssSelector("[data-testid=run-error]")).getText()).contains("cancelled")
                .contains("no longer needed");
        assertThat(driver.findElements(By.cssSelector("[data-testid=cancel-run]"))).isEmpty();

        button("Retry from the failed step").click();
        error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=api-error]")));
        refusal = api("POST", "/api/manage/v1/runs/" + second + "/retry", stack.manageToken(), "{}").json();
        assertThat(error.findElement(By.className("error-message")).getText()).isEqualTo(message(refusal))
                .contains("replay");
        assertThat(error.getText()).contains("HTTP 409");
        shoot("run-cancelled");

        button("Replay").click();
        notice("replays run " + second);
        String replay = driver.getCurrentUrl().replaceAll(".*/runs/", "");
        assertThat(replay).isNotEqualTo(second);
        heading("Run " + replay);
        wait.until(d -> fact(d.findElement(By.cssSelector("[data-testid=run]")), "Replay of").equals(second));
        wait.until(d -> d.findElement(By.cssSelector("[data-testid=run-status]")).getText().equals("suspended"));
        shoot("run-replayed");

        driver.findElement(By.linkText("← Runs of this workflow")).click();
        heading("Runs of Approval");
        wait.until(d -> row("runs", replay, second) != null && row("runs", second, "failed", "cancelled") != null);
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(8)
    void aCaseWorkflowIsCreatedPublishedAndEditedAndItsCasesListedByStatus() throws Exception {
        menu("Workflows");
        heading("Workflows");
        driver.findElement(By.linkText("New workflow")).click();
        heading("New workflow");
        WebElement definition = driver.findElement(By.cssSelector("[data-testid=definition]"));
        definition.clear();
        definition.sendKeys(REFUNDS.replace("\"set_case\"", "\"no_such_type\""));
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
    @Order(9)
    void theDeliveryLogShowsTheResponseExcerptAndADeliveryIsReplayedThenTheSecretRotated() throws Exception {
        menu("Webhooks");
        heading("Webhooks");
        driver.findElement(By.partialLinkText("/hooks")).click();
        heading("Webhook");
        // The completed run's event reaches the receiver through the stream and delivery functions.
        wait.withTimeout(Duration.ofSeconds(60)).until(d -> {
            if (received.get() > 0 && row("deliveries", "succeeded", "run.completed") != null) {
                return true;
            }
            d.navigate().refresh();
            return false;
        });
        WebElement delivery = row("deliveries", "succeeded", "run.completed");
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
    @Order(10)
    void thePolicyIsEnforcedAndNoPageHasInlineScriptStyleOrHandlers() throws Exception {
        var shell = http.send(HttpRequest.newBuilder(URI.create(base + "/app/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(shell.headers().firstValue("content-security-policy")).hasValue(CSP);
        assertThat(shell.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(shell.headers().firstValue("referrer-policy")).hasValue("no-referrer");
        assertThat(shell.headers().firstValue("cache-control")).hasValue("no-cache");

        for (String page : List.of("#/workflows", "#/tokens", "#/webhooks", "#/connections", "#/connections/new",
                "#/runs", "#/workflows/" + approvalId + "/runs", completedRunPath, "#/schedules",
                "#/workflows/" + approvalId + "/schedules", "#/usage")) {
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
    @Order(11)
    void everyControlHasALabelTheKeyboardReachesThemAndPhonesDoNotScrollSideways() throws Exception {
        String unlabelled = "return [...document.querySelectorAll('input, select, textarea, button')]"
                + ".filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')"
                + " && !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON' && el.textContent.trim()))"
                + ".map(el => el.outerHTML.slice(0, 120))";
        for (String page : List.of("#/workflows", "#/workflows/new", "#/tokens", "#/webhooks", "#/connections",
                "#/connections/new", "#/runs", "#/workflows/" + approvalId + "/runs",
                "#/workflows/" + approvalId + "/runs/" + startApproval(), "#/schedules",
                "#/workflows/" + approvalId + "/schedules", "#/usage")) {
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

    @Test
    @Order(12)
    void aScheduleIsCreatedWithTheApisValidationShownThenListedAndPaused() throws Exception {
        signInAgain();
        menu("Schedules");
        heading("Schedules");
        table("schedule-workflows").findElement(By.linkText("Schedules of Approval")).click();
        heading("Schedules of Approval");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("No schedules yet.");

        // Refused by the API (day-of-month and day-of-week both set): its message, and the field it points at.
        WebElement expression = driver.findElement(By.cssSelector("[data-testid=schedule-expression]"));
        expression.sendKeys("cron(0 9 * * MON *)");
        WebElement zone = driver.findElement(By.cssSelector("[data-testid=schedule-timezone]"));
        zone.clear();
        zone.sendKeys("Europe/Berlin");
        button("Create schedule").click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=api-error]")));
        JsonNode refusal = api("POST", "/api/manage/v1/workflows/" + approvalId + "/schedules", stack.manageToken(),
                "{\"expression\": \"cron(0 9 * * MON *)\", \"timezone\": \"Europe/Berlin\", \"input\": {}}").json();
        assertThat(error.findElement(By.className("error-message")).getText()).isEqualTo(message(refusal));
        assertThat(error.getText()).contains("/expression").contains("HTTP 422");
        assertThat(expression.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(zone.getAttribute("aria-invalid")).isNull();
        shoot("schedule-refused");

        // 09:00 in Berlin on January 1st: valid, and far enough away that it starts no run during the test.
        expression.clear();
        expression.sendKeys("cron(0 9 1 1 ? *)");
        WebElement input = driver.findElement(By.cssSelector("[data-testid=schedule-input]"));
        input.clear();
        input.sendKeys("{\"n\": 2}");
        driver.findElement(By.cssSelector("[data-testid=schedule-description]")).sendKeys("new year");
        button("Create schedule").click();
        notice("created");
        JsonNode listed = api("GET", "/api/manage/v1/workflows/" + approvalId + "/schedules", stack.manageToken(), null)
                .json().get("schedules");
        assertThat(listed).hasSize(1);
        JsonNode schedule = listed.get(0);
        String id = schedule.get("id").asText();
        assertThat(schedule.get("input").get("n").asInt()).isEqualTo(2);
        assertThat(schedule.get("next_fire_times").get(0).asText()).matches("\\d{4}-01-01T09:00:00\\+01:00");
        wait.until(d -> row("schedules", "cron(0 9 1 1 ? *)", "Europe/Berlin", "active", "new year") != null);
        assertThat(driver.findElements(By.cssSelector("[aria-invalid]"))).as("the refusal's marks are gone").isEmpty();
        js("document.querySelector('main h1').scrollIntoView(); return null;");
        shoot("schedules");

        // Pause it from the list: the row says so, it has no next fire, and the API agrees.
        driver.findElement(By.cssSelector("[data-testid=pause-" + id + "]")).click();
        wait.until(d -> row("schedules", "cron(0 9 1 1 ? *)", "paused", "none (paused)") != null);
        JsonNode paused = api("GET", "/api/manage/v1/workflows/" + approvalId + "/schedules/" + id, stack.manageToken(), null)
                .json().get("schedule");
        assertThat(paused.get("status").asText()).isEqualTo("paused");
        assertThat(paused.get("next_fire_times")).isEmpty();
        assertThat(driver.findElement(By.cssSelector("[data-testid=resume-" + id + "]")).getText()).isEqualTo("Resume");

        // The menu page lists it under its workflow; its own page shows its facts and input.
        menu("Schedules");
        heading("Schedules");
        wait.until(d -> row("schedules", "Approval", "cron(0 9 1 1 ? *)", "paused") != null);
        row("schedules", "Approval").findElement(By.linkText("cron(0 9 1 1 ? *)")).click();
        heading("Schedule " + id);
        assertThat(fact(driver.findElement(By.tagName("main")), "Time zone")).isEqualTo("Europe/Berlin");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("None: the schedule is paused.")
                .contains("\"n\": 2").contains("It has not fired yet.");
        button("Resume").click();
        notice("is active");
        assertThat(driver.findElements(By.cssSelector("[data-testid=next-fires] li"))).hasSize(5);
        shoot("schedule");

        // Changed to a time zone the API does not know: refused in its words; then to another time, saved.
        WebElement editedZone = field("Time zone");
        editedZone.clear();
        editedZone.sendKeys("Mars/Olympus");
        button("Save changes").click();
        WebElement zoneError = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=api-error]")));
        assertThat(zoneError.getText()).contains("/timezone").contains("HTTP 422");
        assertThat(editedZone.getAttribute("aria-invalid")).isEqualTo("true");
        editedZone.clear();
        editedZone.sendKeys("Europe/Berlin");
        WebElement edited = driver.findElement(By.cssSelector("[data-testid=edit-expression]"));
        edited.clear();
        edited.sendKeys("cron(30 8 1 1 ? *)");
        button("Save changes").click();
        notice("Saved");
        JsonNode saved = api("GET", "/api/manage/v1/workflows/" + approvalId + "/schedules/" + id, stack.manageToken(), null)
                .json().get("schedule");
        assertThat(saved.get("expression").asText()).isEqualTo("cron(30 8 1 1 ? *)");
        assertThat(fact(driver.findElement(By.tagName("main")), "Expression")).isEqualTo("cron(30 8 1 1 ? *)");

        button("Delete").click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("dialog")))
                .findElement(By.cssSelector("[data-testid=confirm]")).click();
        notice("deleted");
        heading("Schedules of Approval");
        assertThat(api("GET", "/api/manage/v1/workflows/" + approvalId + "/schedules/" + id, stack.manageToken(), null)
                .status()).isEqualTo(404);
        assertNoScriptOrPolicyErrors();
    }

    @Test
    @Order(13)
    void usageShowsTheMonthsRunsPerDayByStatusAsAChartAndATableOnceARunCompletes() throws Exception {
        signInAgain();
        String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString();
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        long completedBefore = usageDay(month, today).get("completed").asLong();
        // A run that completes now: metered by the streams function a moment after it finishes.
        String workflowId = null;
        for (JsonNode w : api("GET", "/api/manage/v1/workflows?limit=100", stack.manageToken(), null).json().get("workflows")) {
            if (w.get("name").asText().equals("Process Customer Order")) {
                workflowId = w.get("id").asText();
            }
        }
        assertThat(workflowId).isNotNull();
        Answer started = api("POST", "/api/external/v1/workflows/" + workflowId + "/runs", stack.apiToken(),
                "{\"input\": " + SAMPLE_INPUT + "}");
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        wait.withTimeout(Duration.ofSeconds(60)).until(d -> {
            try {
                return usageDay(month, today).get("completed").asLong() > completedBefore;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        menu("Usage");
        heading("Usage in " + month);
        // The page and the API read the same counters; a run of an earlier test may still be metered in between,
        // so the page is read again until it shows what the API says.
        wait.withTimeout(Duration.ofSeconds(60)).until(d -> {
            try {
                JsonNode u = api("GET", "/api/manage/v1/usage?month=" + month, stack.manageToken(), null).json().get("usage");
                JsonNode day = dayOf(u, today);
                WebElement tr = row("usage-days", today);
                boolean same = tr != null
                        && tr.findElements(By.tagName("td")).stream().map(WebElement::getText).toList().equals(List.of(today,
                                day.get("runs").asText(), day.get("completed").asText(), day.get("failed").asText(),
                                day.get("cost_cents").asText()))
                        && d.findElement(By.cssSelector("[data-testid=usage-runs]")).getText().equals(u.get("runs").asText());
                if (!same) {
                    d.navigate().refresh();
                    heading("Usage in " + month);
                }
                return same;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode u = api("GET", "/api/manage/v1/usage?month=" + month, stack.manageToken(), null).json().get("usage");
        JsonNode day = dayOf(u, today);
        assertThat(day.get("completed").asLong()).as("this test's run, the order run and the signalled run").isGreaterThanOrEqualTo(3);
        assertThat(day.get("failed").asLong()).as("the cancelled run").isGreaterThanOrEqualTo(1);

        // The chart: one bar group per day of the month, today's split as the API counts it, drawn to scale.
        WebElement chart = driver.findElement(By.cssSelector("svg[data-testid=usage-chart]"));
        assertThat(chart.getDomAttribute("aria-hidden")).as("the table is what screen readers read").isEqualTo("true");
        assertThat(chart.findElements(By.cssSelector("g.day"))).hasSize(u.get("days").size());
        WebElement bars = chart.findElement(By.cssSelector("g.day[data-day='" + today + "']"));
        assertThat(bars.getDomAttribute("data-completed")).isEqualTo(day.get("completed").asText());
        assertThat(bars.getDomAttribute("data-failed")).isEqualTo(day.get("failed").asText());
        double completedHeight = Double.parseDouble(bars.findElement(By.cssSelector("rect.completed")).getDomAttribute("height"));
        double failedHeight = Double.parseDouble(bars.findElement(By.cssSelector("rect.failed")).getDomAttribute("height"));
        assertThat(completedHeight / failedHeight).as("bars to scale")
                .isCloseTo(day.get("completed").asDouble() / day.get("failed").asDouble(), org.assertj.core.data.Offset.offset(0.01));
        assertThat(js("return getComputedStyle(document.querySelector('rect.bar.failed')).fill")).isEqualTo("rgb(179, 38, 30)");
        // The table holds only days with runs or cost; every one of them is in the chart with the same numbers.
        List<WebElement> rows = driver.findElements(By.cssSelector("table[data-testid=usage-days] tbody tr"));
        long withRuns = java.util.stream.StreamSupport.stream(u.get("days").spliterator(), false)
                .filter(x -> x.get("runs").asLong() > 0 || x.get("cost_cents").decimalValue().signum() != 0).count();
        assertThat(rows).hasSize((int) withRuns);
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("Monthly run quota").contains("none")
                .contains("Per run").contains(u.get("prices").get("per_run").asText());
        assertThat(row("usage-workflows", workflowId)).isNotNull();
        js("document.getElementById('usage-chart-title').scrollIntoView(); return null;");
        shoot("usage");
        assertNoScriptOrPolicyErrors();
    }

    /** After the sign-out that ends the keyboard test: sign in again with the manage token. */
    void signInAgain() {
        driver.get(base + "/app/");
        if (!driver.findElements(By.id("manage-token")).isEmpty()) {
            WebElement input = driver.findElement(By.id("manage-token"));
            input.sendKeys(stack.manageToken());
            input.sendKeys(Keys.ENTER);
        }
        heading("Workflows");
    }

    JsonNode usageDay(String month, String day) throws IOException, InterruptedException {
        return dayOf(api("GET", "/api/manage/v1/usage?month=" + month, stack.manageToken(), null).json().get("usage"), day);
    }

    static JsonNode dayOf(JsonNode usage, String day) {
        for (JsonNode d : usage.get("days")) {
            if (d.get("day").asText().equals(day)) {
                return d;
            }
        }
        throw new AssertionError("no day " + day + " in " + usage);
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

    /** What a facts list ({@code dl}) under {@code scope} says for {@code label}. */
    String fact(WebElement scope, String label) {
        return scope.findElement(By.xpath(".//dt[normalize-space(text())='" + label + "']/following-sibling::dd[1]")).getText();
    }

    /** Starts a run of the Approval workflow with the API token (it suspends at its wait); its ID. */
    String startApproval() throws IOException, InterruptedException {
        Answer started = api("POST", "/api/external/v1/workflows/" + approvalId + "/runs", stack.apiToken(),
                "{\"input\": {\"n\": 1}}");
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        return started.json().get("workflow_run").get("id").asText();
    }

    /** The API's message in any of its error shapes, as the dashboard's api.js reads it. */
    static String message(JsonNode refusal) {
        return refusal.hasNonNull("message") ? refusal.get("message").asText() : refusal.get("error").asText();
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

    /** The first row of a table containing every one of {@code texts}, or null (also while the table is being replaced). */
    WebElement row(String testid, String... texts) {
        try {
            for (WebElement tr : driver.findElements(By.cssSelector("table[data-testid='" + testid + "'] tbody tr"))) {
                String text = tr.getText();
                if (Stream.of(texts).allMatch(text::contains)) {
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
