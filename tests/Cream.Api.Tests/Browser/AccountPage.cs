using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Cream.Api.Tests.Browser;

/// <summary>
/// One visit to an account page in a fresh browser context that records every request the browser makes
/// and every fault it reports: console errors (Chromium reports a CSP violation there), uncaught
/// exceptions, and CSP violations as the page itself sees them.
/// </summary>
public sealed class AccountPage : IAsyncDisposable
{
    // Injected by the browser before the page's own script, so no CSP applies to it.
    private const string ReportViolations = """
        document.addEventListener('securitypolicyviolation', (event) =>
          console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
        """;

    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<string> _faults = new();

    private AccountPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        _context.Request += (_, request) => _requests.Enqueue($"{request.Method} {request.Url}");
        Page.Console += (_, message) => OnConsole(message);
        Page.PageError += (_, error) => _faults.Enqueue($"uncaught: {error}");
    }

    public IPage Page { get; }

    /// <summary>Every request so far, as <c>METHOD url</c>, in order.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    /// <summary>Console errors, uncaught exceptions and CSP violations so far.</summary>
    public IReadOnlyCollection<string> Faults => _faults;

    public ILocator NewPassword => Page.GetByLabel("New password", new() { Exact = true });

    public ILocator RepeatedPassword => Page.GetByLabel("Repeat the new password");

    public ILocator ChangePasswordButton => Page.GetByRole(AriaRole.Button, new() { Name = "Change my password" });

    public ILocator ConfirmEmailButton => Page.GetByRole(AriaRole.Button, new() { Name = "Confirm my email address" });

    /// <summary>The success message, once shown.</summary>
    public ILocator Status => Page.GetByRole(AriaRole.Status);

    /// <summary>The error message shown, if any (hidden ones are not in the accessibility tree).</summary>
    public ILocator Alert => Page.GetByRole(AriaRole.Alert);

    /// <param name="phone">A 375 x 667 touch screen that honours the page's viewport meta, instead of a desktop window.</param>
    public static async Task<AccountPage> OpenAsync(IBrowser browser, Uri address, bool phone = false)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var context = await browser.NewContextAsync(phone
            ? new() { ViewportSize = new() { Width = 375, Height = 667 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2 }
            : new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(20_000);
        await context.AddInitScriptAsync(ReportViolations);
        var page = new AccountPage(context, await context.NewPageAsync());
        await page.Page.GotoAsync(address.ToString());
        return page;
    }

    /// <summary>Presses <paramref name="button"/> and returns the service's answer to the page's call.</summary>
    public Task<IResponse> SubmitAsync(ILocator button) =>
        Page.RunAndWaitForResponseAsync(() => button.ClickAsync(), response => response.Request.Method == "POST");

    /// <summary>Types the password into both fields (or <paramref name="repeated"/> into the second), submits, and returns the answer.</summary>
    public async Task<IResponse> SetPasswordAsync(string password, string? repeated = null)
    {
        await NewPassword.FillAsync(password);
        await RepeatedPassword.FillAsync(repeated ?? password);
        return await SubmitAsync(ChangePasswordButton);
    }

    /// <summary>Saves what the page shows, for the developer reading a failure.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cream-account-page-{name}.png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();

    private void OnConsole(IConsoleMessage message)
    {
        // Chromium logs a 4xx answer as "Failed to load resource"; from the API it is an answer the page
        // shows (an expired link, a weak password), not a fault of the page.
        var answered = message.Text.StartsWith("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal)
            && message.Location.Contains("/api/auth/", StringComparison.Ordinal);
        if (message.Type == "error" && !answered)
        {
            _faults.Enqueue($"{message.Text} (at {message.Location})");
        }
    }
}
