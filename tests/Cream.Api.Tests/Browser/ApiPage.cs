using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Cream.Api.Tests.Browser;

/// <summary>One visit to <c>/scalar</c> in a fresh browser context that records every request the browser makes.</summary>
public sealed class ApiPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _requests = new();

    private ApiPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        _context.Request += (_, request) => _requests.Enqueue(request.Url);
    }

    public IPage Page { get; }

    /// <summary>The URL of every request made so far, in order.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    /// <summary>The sign-in panel at the top of the page, for every endpoint.</summary>
    public ILocator Authentication => Page.GetByRole(AriaRole.Region, new() { Name = "Introduction" })
        .GetByRole(AriaRole.Group, new() { Name = "Authentication" });

    /// <summary>The dialog where a request is sent and its answer shown.</summary>
    public ILocator ApiClient => Page.GetByRole(AriaRole.Dialog, new() { Name = "API Client" });

    public static async Task<ApiPage> OpenAsync(IBrowser browser, Uri service)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var context = await browser.NewContextAsync(new() { BaseURL = service.ToString(), ViewportSize = new() { Width = 1400, Height = 1000 } });
        // The page is a few megabytes of script on a shared machine: generous, but bounded.
        context.SetDefaultTimeout(20_000);
        var page = new ApiPage(context, await context.NewPageAsync());
        await page.Page.GotoAsync("/scalar");
        return page;
    }

    /// <summary>Opens <c>GET /api/auth/me</c> in the API client, sends it, and returns the browser's response.</summary>
    public async Task<IResponse> SendMeAsync()
    {
        await Page.GetByRole(AriaRole.Link, new() { Name = "The signed-in user's profile" }).ClickAsync();
        var operation = Page.GetByRole(AriaRole.Region, new() { Name = "The signed-in user's profile" });
        await operation.GetByRole(AriaRole.Button, new() { Name = "Test Request" }).ClickAsync();
        return await Page.RunAndWaitForResponseAsync(
            () => ApiClient.GetByRole(AriaRole.Button, new() { Name = "Send Request" }).ClickAsync(),
            response => new Uri(response.Url).AbsolutePath == "/api/auth/me");
    }

    /// <summary>Saves what the page shows, for the developer reading a failure.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cream-api-page-{name}.png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = false });
        return path;
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
