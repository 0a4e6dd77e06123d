# Headless Chromium and its driver for the market board's browser tests (Debian packages;
# Selenium drives them by path, so nothing is downloaded at test time).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
fi
chromium --version
