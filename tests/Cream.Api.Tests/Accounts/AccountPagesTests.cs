using System.Net;
using System.Text.RegularExpressions;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Accounts;

/// <summary>
/// The pages that account emails link to, as HTTP sees them: their own strict policy, never cached,
/// nothing from elsewhere and nothing inline. The browser tests (<c>Browser/AccountPagesInBrowserTests</c>)
/// use them.
/// </summary>
public sealed partial class AccountPagesTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    private const string PagesPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

    private static readonly string[] Files = ["verify-email", "reset-password", "account.js", "account.css"];

    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("verify-email", "text/html")]
    [InlineData("reset-password", "text/html")]
    [InlineData("account.js", "text/javascript")]
    [InlineData("account.css", "text/css")]
    public async Task Each_file_is_served_under_a_policy_that_allows_only_the_pages_own_files(string file, string mediaType)
    {
        using var response = await _client.GetAsync($"/account/{file}?token=from-the-link");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal(PagesPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        // The first load's URL carries the token: nothing may keep it, nor pass it on as a referrer.
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Opening_a_page_from_a_link_logs_nothing_of_its_token()
    {
        var token = $"page-token-{Guid.NewGuid():N}";

        using var response = await _client.GetAsync($"/account/reset-password?token={token}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(factory.Logs.GetSnapshot(), entry => entry.Message.Contains(token, StringComparison.Ordinal)
            || entry.StructuredState?.Any(pair => pair.Value?.Contains(token, StringComparison.Ordinal) == true) == true);
    }

    [Fact]
    public async Task Nothing_on_the_pages_comes_from_elsewhere()
    {
        foreach (var file in Files)
        {
            var text = await _client.GetStringAsync($"/account/{file}");

            Assert.DoesNotContain("http://", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("https://", text, StringComparison.OrdinalIgnoreCase);
        }

        var css = await _client.GetStringAsync("/account/account.css");
        Assert.DoesNotContain("url(", css, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", css, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("verify-email")]
    [InlineData("reset-password")]
    public async Task A_page_has_no_inline_script_or_style_and_names_its_files_relatively(string page)
    {
        var html = await _client.GetStringAsync($"/account/{page}");

        Assert.DoesNotMatch(InlineCode(), html);
        // Relative, so the page works under a path base (https://example.com/cream/account/...).
        Assert.Equal(["account.css", "account.js"], References().Matches(html).Select(match => match.Groups[1].Value).Order());
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/account/x")]
    [InlineData("/account/")]
    [InlineData("/account/verify-email/")]
    [InlineData("/account/verify-email.html")]
    [InlineData("/account/Pages/account.js")]
    public async Task Other_paths_under_account_are_not_found_and_keep_the_apis_policy(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task The_pages_accept_no_form_posts()
    {
        using var response = await _client.PostAsync("/account/reset-password", new FormUrlEncodedContent([new("new_password", "x")]));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    /// <summary>A script element with a body, a style element or attribute, or an inline event handler.</summary>
    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"(?:src|href)=""([^""]*)""")]
    private static partial Regex References();
}
