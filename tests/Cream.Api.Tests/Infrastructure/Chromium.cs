using Microsoft.Playwright;

namespace Cream.Api.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, which <c>scripts/test.sh</c> installs, driven by Playwright. Playwright's own
/// browser builds are never downloaded: the package only ships its driver, and the tests launch this
/// executable. Without it the browser tests are skipped outside the script (<see cref="NeedsChromiumAttribute"/>)
/// and fail inside it, with a message that says how to get it.
/// </summary>
public static class Chromium
{
    /// <summary>Where Debian's <c>chromium</c> package puts it; <c>CREAM_TEST_CHROMIUM</c> names another.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CREAM_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>The one place that decides whether the browser tests can run.</summary>
    public static string? MissingReason => File.Exists(ExecutablePath)
        ? null
        : $"Chromium is not at {ExecutablePath}: run scripts/test.sh, which installs Debian's chromium package (as root), or set CREAM_TEST_CHROMIUM.";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        if (MissingReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root has no sandbox; the rest keeps Chromium from calling home, which a closed network refuses.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }
}
