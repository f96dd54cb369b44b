using Cream.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cream.Api.Tests.Browser;

/// <summary>The service on its own SQLite database, listening on a loopback port, and one headless Chromium.</summary>
[NeedsChromium]
public abstract class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private LoopbackSqliteApiFactory? _service;

    public IBrowser Browser { get; private set; } = null!;

    public LoopbackSqliteApiFactory Service => _service!;

    /// <summary>Talks to the same port the browser uses.</summary>
    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress => Service.BaseAddress;

    /// <summary>Starts what the service needs first (a mail server, say) and returns the service's extra settings.</summary>
    protected virtual Task<IReadOnlyDictionary<string, string?>> PrepareAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>());

    /// <summary>The service's path base (see <see cref="LoopbackSqliteApiFactory"/>); none by default.</summary>
    protected virtual string PathBase => "";

    /// <summary>Stops what <see cref="PrepareAsync"/> started, after the service.</summary>
    protected virtual Task CleanUpAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
        _service = new LoopbackSqliteApiFactory(await PrepareAsync(), PathBase);
        await _service.InitializeAsync();
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public async Task DisposeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        Client?.Dispose();
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_service is not null)
        {
            await ((IAsyncLifetime)_service).DisposeAsync();
        }

        await CleanUpAsync();
    }
}
