package io.raftoral.http.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser: Debian's headless Chromium driven by its chromedriver through Selenium (the
 * system driver, never a downloaded one). A 3-node cluster; the console shows 3 nodes and the leaders, starts a
 * workflow and shows it completing live, opens its page, and shows a killed node as failed. Leaves a screenshot at
 * {@code target/console.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {

  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path SCREENSHOT = Path.of("target", "console.png");
  private static final Path FAILURE_PAGE = Path.of("target", "console-failure.html");
  private static final Path FAILURE_SCREENSHOT = Path.of("target", "console-failure.png");
  private static final int COUNTDOWN_STEPS = 8;

  private Vertx vertx;
  private HttpNodes nodes;
  private WebDriver browser;
  private Path profile;

  @BeforeAll
  void start() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as("the console test needs Debian's Chromium and chromedriver (%s, %s): apt-get install -y chromium "
            + "chromium-driver (.ci/run installs them when missing)", CHROMIUM, CHROMEDRIVER).isTrue();
    vertx = Vertx.vertx();
    nodes = new HttpNodes(vertx, router -> new ConsoleRoutes().mount(router)).start();
    profile = Files.createTempDirectory("raftoral-console-chromium");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,1200", "--user-data-dir=" + profile);
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (nodes != null) {
      nodes.close();
    }
    if (vertx != null) {
      HttpNodes.await(vertx.close());
    }
  }

  private FluentWait<WebDriver> waiting() {
    return new WebDriverWait(browser, WAIT).ignoring(StaleElementReferenceException.class);
  }

  /** How many elements match {@code css} now (read in the page in one step: the console re-renders often). */
  private long count(String css) {
    return (Long) ((JavascriptExecutor) browser).executeScript(
        "return document.querySelectorAll(arguments[0]).length;", css);
  }

  /** The trimmed text of the first element matching {@code css}, or "" (read in one step, as {@link #count}). */
  private String text(String css) {
    return (String) ((JavascriptExecutor) browser).executeScript(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '';", css);
  }

  private boolean present(String css) {
    return count(css) > 0;
  }

  @Test
  void theConsoleShowsTheClusterAWorkflowCompletingLiveAndAKilledNodeAsFailed() throws Exception {
    try {
      walkThrough();
    } catch (RuntimeException | AssertionError e) {
      // what the browser showed, for the report
      Files.createDirectories(FAILURE_PAGE.getParent());
      Files.writeString(FAILURE_PAGE, browser.getPageSource());
      Files.write(FAILURE_SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
      throw e;
    }
  }

  private void walkThrough() throws Exception {
    browser.get("http://127.0.0.1:" + nodes.port("node-a") + "/console");

    // the topology: 3 live nodes, the leader of cluster 0 and of the execution cluster
    waiting().until(d -> count("#nodes tbody tr[data-state='ALIVE']") == 3);
    waiting().until(d -> text("#mgmt-leader").startsWith("node "));
    waiting().until(d -> text("#clusters tbody tr td.leader").startsWith("node "));
    waiting().until(d -> "live".equals(text("#stream-status")));

    // start a workflow from the page; its row turns COMPLETED as the events arrive (the page is never reloaded)
    WebElement type = browser.findElement(By.id("start-type"));
    type.clear();
    type.sendKeys("countdown");
    WebElement input = browser.findElement(By.id("start-input"));
    input.clear();
    input.sendKeys(Integer.toString(COUNTDOWN_STEPS));
    browser.findElement(By.id("start-button")).click();
    waiting().until(d -> text("#start-result").startsWith("started "));
    String id = text("#start-result").substring("started ".length());
    String row = "#workflows tbody tr[data-workflow-id='" + id + "']";
    waiting().until(d -> present(row + "[data-state='COMPLETED']"));
    waiting().until(d -> present("#events li[data-kind='workflow_completed']"));

    // its page: state, result, journal summary; the signal button tells when signals are not served
    ((JavascriptExecutor) browser).executeScript("document.querySelector(arguments[0]).click();", row);
    waiting().until(d -> "COMPLETED".equals(text("#wf-state")));
    assertThat(text("#wf-result")).isEqualTo("0");
    assertThat(text("#wf-checkpoint-count")).isEqualTo(Integer.toString(COUNTDOWN_STEPS));
    assertThat(text("#wf-journal")).contains("checkpoint");
    assertThat(browser.findElement(By.id("terminate-button")).isEnabled()).isFalse();
    browser.findElement(By.id("signal-button")).click();
    waiting().until(d -> !text("#wf-message").isEmpty());

    // back to the cluster; a node killed meanwhile shows as failed
    long killed = nodes.node("node-c").nodeId();
    nodes.kill("node-c");
    browser.findElement(By.cssSelector("header nav a[href='#/']")).click();
    waiting().until(d -> present("#nodes tbody tr[data-node-id='" + killed + "'][data-state='FAILED']"));
    waiting().until(d -> present("#events li[data-kind='node_failed']"));

    Files.createDirectories(SCREENSHOT.getParent());
    Files.write(SCREENSHOT, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(SCREENSHOT)).isPositive();
  }
}
