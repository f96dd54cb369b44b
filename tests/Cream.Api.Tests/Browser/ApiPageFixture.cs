using System.Net;
using Cream.Api.Data;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cream.Api.Tests.Browser;

/// <summary>The service on its own SQLite database, listening on a loopback port, and one headless Chromium.</summary>
[NeedsChromium]
public sealed class ApiPageFixture : IAsyncLifetime
{
    private readonly LoopbackSqliteApiFactory _service = new();
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Talks to the same port the browser uses.</summary>
    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress => _service.BaseAddress;

    public async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
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
        await ((IAsyncLifetime)_service).DisposeAsync();
    }

    public Task<ApiPage> OpenApiPageAsync() => ApiPage.OpenAsync(Browser, BaseAddress);
}

/// <summary>As <see cref="SqliteApiFactory"/>, but on Kestrel at a real loopback port instead of the in-memory test server.</summary>
public sealed class LoopbackSqliteApiFactory : CreamApiFactory
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cream-test-{Guid.NewGuid():N}.db");

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override string ConnectionString => $"Data Source={_path};Pooling=False";

    public Uri BaseAddress { get; private set; } = null!;

    // The port is known only once Kestrel listens; unset, the page's requests go to its own origin.
    public LoopbackSqliteApiFactory() => Settings = new Dictionary<string, string?> { ["Accounts:PublicBaseUrl"] = "" };

    public override Task InitializeAsync()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        BaseAddress = new Uri(addresses.Single());
        return Task.CompletedTask;
    }

    protected override Task DropDatabaseAsync()
    {
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }
}
