"""The console's browser check (see ops/browser-check): real Chromium, real server, real data."""
import os
import re
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

BASE = os.environ["CPV_URL"].rstrip("/")
TOKEN = os.environ["CPV_TOKEN"]
OUT = sys.argv[1]
WIDE = (1280, 800)
NARROW = (420, 860)

problems = []
shots = []


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--hide-scrollbars",
                 "--force-device-scale-factor=1", "--window-size=1280,800"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


def viewport(driver, size):
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def console_errors(driver):
    """Browser log entries that mean something is wrong: CSP violations and other errors."""
    found = []
    for entry in driver.get_log("browser"):
        message = entry.get("message", "")
        if "Content Security Policy" in message or "Content-Security-Policy" in message:
            found.append("CSP violation: " + message)
        elif entry.get("level") == "SEVERE" and "favicon.ico" not in message:
            found.append("console error: " + message)
    return found


def check(driver, name, expect_nav=True):
    """Checks the page on screen, saves its screenshot, records what is wrong with it."""
    body = driver.find_element(By.TAG_NAME, "body")
    text = body.text
    if expect_nav and not driver.find_elements(By.CSS_SELECTOR, "[data-console-nav]"):
        problems.append(f"{name}: no navigation bar ({driver.current_url})")
    if driver.find_elements(By.CSS_SELECTOR, ".error-box"):
        heading = driver.find_element(By.CSS_SELECTOR, ".error-box h1").text
        problems.append(f"{name}: error page '{heading}' at {driver.current_url}")
    if '"error":{' in text or '"error": {' in text:
        problems.append(f"{name}: a JSON error instead of a page at {driver.current_url}")
    for problem in console_errors(driver):
        problems.append(f"{name}: {problem}")
    path = os.path.join(OUT, f"{len(shots) + 1:02d}-{name}.png")
    driver.save_screenshot(path)
    shots.append(path)
    print(f"ok   {name:<28} {driver.current_url}" if not any(p.startswith(name + ":") for p in problems)
          else f"FAIL {name:<28} {driver.current_url}")


def visit(driver, path, name, expect_nav=True):
    driver.get(BASE + path)
    check(driver, name, expect_nav)


def first_link(driver, css):
    links = driver.find_elements(By.CSS_SELECTOR, css)
    return links[0].get_attribute("href") if links else None


def submit(driver, form_css):
    driver.find_element(By.CSS_SELECTOR, form_css + " button[type=submit]").click()


def main():
    os.makedirs(OUT, exist_ok=True)
    driver = start_browser()
    try:
        viewport(driver, WIDE)
        # Sign in through the form.
        visit(driver, "/console/sign-in", "sign-in", expect_nav=False)
        driver.find_element(By.ID, "token").send_keys(TOKEN)
        submit(driver, "form.sign-in")
        if not driver.current_url.rstrip("/").endswith("/console"):
            problems.append(f"sign-in: did not reach the dashboard ({driver.current_url})")
            raise SystemExit(report())
        check(driver, "dashboard")

        visit(driver, "/console/partners", "partners")
        partner = first_link(driver, "table.table td a[href*='/console/partners/']")
        if partner:
            driver.get(partner)
            check(driver, "partner-detail")
        else:
            problems.append("partners: no partner to open (is the demo seeded?)")
        visit(driver, "/console/partners/new", "partner-new")

        visit(driver, "/console/customers", "customers")
        customer = first_link(driver, "table.table td a[href*='/console/customers/']")
        visit(driver, "/console/customers?state=missing", "customers-missing")
        if customer:
            name = driver.find_elements(By.CSS_SELECTOR, "table.table td a[href*='/console/customers/']")
            driver.get(customer)
            check(driver, "customer-detail")
            title = driver.find_element(By.TAG_NAME, "h1").text.split("\n")[0]
            words = re.findall(r"[A-Za-z0-9-]+", title)
            driver.get(BASE + "/console/customers?q=" + (words[-1] if words else ""))
            check(driver, "customers-search")
        else:
            problems.append("customers: no customer to open (is the demo seeded?)")

        visit(driver, "/console/runs", "runs")
        # A dry run over the customers not on the newest grant set.
        visit(driver, "/console/runs/new", "run-new")
        driver.find_element(By.CSS_SELECTOR, "input[name=scope][value=drift]").click()
        dry = driver.find_element(By.CSS_SELECTOR, "input[name=dryRun]")
        if not dry.is_selected():
            dry.click()
        submit(driver, "form.form")
        if "/console/runs/" not in driver.current_url:
            problems.append(f"dry run: not created ({driver.current_url})")
        check(driver, "run-dry")

        # A real run over every customer, paused at once.
        driver.get(BASE + "/console/runs/new")
        driver.find_element(By.CSS_SELECTOR, "input[name=scope][value=all]").click()
        dry = driver.find_element(By.CSS_SELECTOR, "input[name=dryRun]")
        if dry.is_selected():
            dry.click()
        submit(driver, "form.form")
        if "/console/runs/" not in driver.current_url:
            problems.append(f"real run: not created ({driver.current_url})")
        run_url = driver.current_url.split("?")[0]
        block = driver.find_element(By.ID, "run-progress")
        live = block.get_attribute("data-live") == "true"
        time.sleep(4)  # the script polls the progress fragment every 3 seconds
        if live:
            try:
                block.get_attribute("id")
                problems.append("run-live: the progress block was not refreshed by the script within 4 seconds")
            except StaleElementReferenceException:
                pass  # replaced by a fresh fragment: live progress works without a reload
        check(driver, "run-live")
        pause = driver.find_elements(By.CSS_SELECTOR, "form[action$='/pause'] button")
        if pause:
            pause[0].click()
            check(driver, "run-paused")
            status = driver.find_element(By.CSS_SELECTOR, "#run-progress .badge").text
            if status != "paused":
                problems.append(f"run-paused: status is '{status}', not paused")
        else:
            problems.append("run-live: no pause button (did the run finish before it could be paused?)")

        visit(driver, "/console/audit", "audit")
        visit(driver, "/console/audit?verify=1", "audit-verified")
        visit(driver, "/console/reports", "reports")
        for name in ("consent-coverage", "missing-consent", "failures", "stale", "partner-token-health"):
            visit(driver, f"/console/reports/{name}", f"report-{name}")
        visit(driver, "/console/grant-sets", "grant-sets")
        # The friendly 404 page: expected to be an error page, with the navigation bar.
        driver.get(BASE + "/console/no-such-page")
        if not driver.find_elements(By.CSS_SELECTOR, ".error-box"):
            problems.append("not-found-page: no friendly error page")
        if not driver.find_elements(By.CSS_SELECTOR, "[data-console-nav]"):
            problems.append("not-found-page: no navigation bar")
        for problem in console_errors(driver):
            if "404" not in problem:  # the browser logs the 404 status itself
                problems.append("not-found-page: " + problem)
        shots.append(os.path.join(OUT, f"{len(shots) + 1:02d}-not-found-page.png"))
        driver.save_screenshot(shots[-1])
        print(f"ok   {'not-found-page':<28} {driver.current_url}")

        # A narrow window: the same pages must stay readable.
        viewport(driver, NARROW)
        visit(driver, "/console", "narrow-dashboard")
        visit(driver, "/console/customers", "narrow-customers")
        driver.get(run_url)
        check(driver, "narrow-run")
        if partner:
            driver.get(partner)
            check(driver, "narrow-partner")
    except WebDriverException as error:
        problems.append(f"browser: {error.msg}")
    finally:
        driver.quit()
    return report()


def report():
    print(f"\n{len(shots)} screenshots in {OUT}")
    if problems:
        print(f"{len(problems)} problem(s):")
        for problem in problems:
            print("  - " + problem)
        return 1
    print("browser check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
