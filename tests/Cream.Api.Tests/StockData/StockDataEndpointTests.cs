using System.Net;
using System.Net.Http.Json;
using Cream.Api.StockData;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.StockData;

/// <summary>Tracking symbols and the admin endpoints, with the first version's bodies and messages.</summary>
public abstract class StockDataEndpointTests(CreamApiFactory factory)
{
    private static string NewSymbol() => "S" + Random.Shared.Next(0, 99_999_999).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Tracking_a_valid_symbol_returns_the_first_versions_body_and_records_who_asked()
    {
        var user = await factory.CreateUserAsync();
        using var client = factory.CreateClient(user.AccessToken);
        var symbol = NewSymbol();

        using var response = await client.PostAsJsonAsync("/api/stock-data/track", new { symbol = $"  {symbol.ToLowerInvariant()} " });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("tracking", body.GetProperty("status").GetString());
        Assert.Equal($"Stock {symbol} is now being tracked", body.GetProperty("message").GetString());
        Assert.Equal(symbol, body.GetProperty("symbol").GetString());
        var stock = await factory.WithDbAsync(db => db.TrackedStocks.SingleAsync(s => s.Symbol == symbol));
        Assert.True(stock.IsActive);
        Assert.Equal(PullStatus.Pending, stock.LastPullStatus);
        Assert.Equal(1, await factory.WithDbAsync(db => db.TrackingRequests.CountAsync(r => r.TrackedStockId == stock.Id)));
    }

    [Fact]
    public async Task Tracking_the_same_symbol_twice_returns_equal_bodies_and_keeps_one_row()
    {
        var user = await factory.CreateUserAsync();
        using var client = factory.CreateClient(user.AccessToken);
        var symbol = NewSymbol();

        using var first = await client.PostAsJsonAsync("/api/stock-data/track", new { symbol });
        using var second = await client.PostAsJsonAsync("/api/stock-data/track", new { symbol });

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, await factory.WithDbAsync(db => db.TrackedStocks.CountAsync(s => s.Symbol == symbol)));
        Assert.Equal(1, await factory.WithDbAsync(db =>
            db.TrackingRequests.CountAsync(r => db.TrackedStocks.Any(s => s.Id == r.TrackedStockId && s.Symbol == symbol))));
    }

    [Fact]
    public async Task Concurrent_first_requests_for_one_symbol_all_succeed()
    {
        var symbol = NewSymbol();
        var users = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => factory.CreateUserAsync()));

        var responses = await Task.WhenAll(users.Select(async user =>
        {
            using var client = factory.CreateClient(user.AccessToken);
            return await client.PostAsJsonAsync("/api/stock-data/track", new { symbol });
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, await factory.WithDbAsync(db => db.TrackedStocks.CountAsync(s => s.Symbol == symbol)));
    }

    [Theory]
    [InlineData("1INVALID")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("A")]
    [InlineData("ABCDEFGHIJK")]
    [InlineData("AB-C")]
    [InlineData("ÄBC")]
    [InlineData(null)]
    public async Task Invalid_symbols_are_422_with_a_detail_and_store_nothing(string? symbol)
    {
        var user = await factory.CreateUserAsync();
        using var client = factory.CreateClient(user.AccessToken);
        var before = await factory.WithDbAsync(db => db.TrackedStocks.CountAsync());

        using var response = await client.PostAsJsonAsync("/api/stock-data/track", new { symbol });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("ymbol", await response.DetailAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await factory.WithDbAsync(db => db.TrackedStocks.CountAsync()));
    }

    [Fact]
    public async Task Tracking_requires_a_signed_in_user()
    {
        using var response = await factory.CreateClient().PostAsJsonAsync("/api/stock-data/track", new { symbol = "AAPL" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Not authenticated", await response.DetailAsync());
    }

    [Theory]
    [InlineData("GET", "/api/stock-data/track")]
    [InlineData("DELETE", "/api/stock-data/tracked/AAPL")]
    public async Task Admin_endpoints_without_a_token_are_401_not_authenticated(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Not authenticated", await response.DetailAsync(), StringComparison.Ordinal);
        Assert.Equal(["Bearer", "DPoP algs=\"ES256 ES384 RS256 PS256\""], response.Headers.GetValues("WWW-Authenticate")); // the first version's challenge first
    }

    [Theory]
    [InlineData("GET", "/api/stock-data/track")]
    [InlineData("DELETE", "/api/stock-data/tracked/AAPL")]
    public async Task Admin_endpoints_with_the_first_versions_dummy_token_are_401_invalid_token(string method, string path)
    {
        using var client = factory.CreateClient("dummy_token");
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Could not validate credentials", await response.DetailAsync());
        Assert.StartsWith("Bearer error=\"invalid_token\", error_description=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/stock-data/track")]
    [InlineData("DELETE", "/api/stock-data/tracked/AAPL")]
    public async Task Admin_endpoints_as_a_non_admin_are_403(string method, string path)
    {
        var user = await factory.CreateUserAsync();
        using var client = factory.CreateClient(user.AccessToken);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Admin access required", await response.DetailAsync());
        Assert.Equal("Bearer error=\"insufficient_scope\", error_description=\"The admin role is required\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task An_admin_lists_tracked_stocks_page_by_page()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        foreach (var symbol in new[] { NewSymbol(), NewSymbol(), NewSymbol() })
        {
            (await client.PostAsJsonAsync("/api/stock-data/track", new { symbol })).EnsureSuccessStatusCode();
        }

        var total = await factory.WithDbAsync(db => db.TrackedStocks.CountAsync());

        using var response = await client.GetAsync("/api/stock-data/track?page=2&page_size=2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        var stocks = body.GetProperty("stocks");
        Assert.Equal("success", body.GetProperty("status").GetString());
        Assert.Equal($"Retrieved {stocks.GetArrayLength()} tracked stocks", body.GetProperty("message").GetString());
        Assert.Equal(total, body.GetProperty("total_count").GetInt32());
        Assert.Equal(2, body.GetProperty("page").GetInt32());
        Assert.Equal(2, body.GetProperty("page_size").GetInt32());
        Assert.Equal((total + 1) / 2, body.GetProperty("total_pages").GetInt32());
        Assert.InRange(stocks.GetArrayLength(), 1, 2);
        var first = stocks[0];
        foreach (var field in new[] { "symbol", "is_active", "last_pull_date", "last_pull_status", "error_message" })
        {
            Assert.True(first.TryGetProperty(field, out _), field);
        }
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("page_size=0")]
    [InlineData("page_size=101")]
    [InlineData("page=2147483647&page_size=100")]
    public async Task Out_of_range_paging_is_422(string query)
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);

        using var response = await client.GetAsync($"/api/stock-data/track?{query}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(await response.DetailAsync()));
    }

    [Fact]
    public async Task Non_numeric_paging_is_400()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);

        using var response = await client.GetAsync("/api/stock-data/track?page=abc");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(await response.DetailAsync()));
    }

    [Fact]
    public async Task An_admin_deactivates_a_symbol_and_the_record_is_kept()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        var symbol = NewSymbol();
        (await client.PostAsJsonAsync("/api/stock-data/track", new { symbol })).EnsureSuccessStatusCode();

        using var response = await client.DeleteAsync($"/api/stock-data/tracked/{symbol.ToLowerInvariant()}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("deactivated", body.GetProperty("status").GetString());
        Assert.Equal($"Stock {symbol} tracking has been deactivated", body.GetProperty("message").GetString());
        Assert.Equal(symbol, body.GetProperty("symbol").GetString());
        var stock = await factory.WithDbAsync(db => db.TrackedStocks.SingleAsync(s => s.Symbol == symbol));
        Assert.False(stock.IsActive);
        Assert.Equal(PullStatus.Disabled, stock.LastPullStatus);
        Assert.Equal("Tracking deactivated by admin", stock.ErrorMessage);
    }

    [Fact]
    public async Task Tracking_a_deactivated_symbol_again_reactivates_it()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        var symbol = NewSymbol();
        (await client.PostAsJsonAsync("/api/stock-data/track", new { symbol })).EnsureSuccessStatusCode();
        (await client.DeleteAsync($"/api/stock-data/tracked/{symbol}")).EnsureSuccessStatusCode();

        using var response = await client.PostAsJsonAsync("/api/stock-data/track", new { symbol });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stock = await factory.WithDbAsync(db => db.TrackedStocks.SingleAsync(s => s.Symbol == symbol));
        Assert.True(stock.IsActive);
        Assert.Equal(PullStatus.Pending, stock.LastPullStatus);
        Assert.Null(stock.ErrorMessage);
    }

    [Fact]
    public async Task Deactivating_an_unknown_symbol_is_404_with_the_first_versions_detail()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);

        using var response = await client.DeleteAsync("/api/stock-data/tracked/zzzz9999");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Stock ZZZZ9999 is not being tracked", await response.DetailAsync());
    }

    [Fact]
    public async Task Deactivating_an_invalid_symbol_is_400()
    {
        var admin = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);

        using var response = await client.DeleteAsync("/api/stock-data/tracked/1INVALID");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("letter", await response.DetailAsync(), StringComparison.Ordinal);
    }
}

public sealed class SqliteStockDataEndpointTests(SqliteApiFactory factory) : StockDataEndpointTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresStockDataEndpointTests(PostgresApiFactory factory) : StockDataEndpointTests(factory), IClassFixture<PostgresApiFactory>;
