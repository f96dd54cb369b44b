using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cream.Api.Tests.Browser;

/// <summary>
/// The interactive API page at <c>/scalar</c> in a real browser, as a developer uses it: nothing set by
/// hand, nothing loaded from elsewhere.
/// </summary>
public sealed class ApiPageTests(ApiPageFixture fixture, ITestOutputHelper output) : IClassFixture<ApiPageFixture>
{
    [Fact]
    public Task The_api_page_loads_nothing_from_outside_the_service() => VisitAsync(async page =>
    {
        await Expect(page.Authentication).ToBeVisibleAsync();
        await page.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        // The recording saw the page's own assets, so an empty list cannot pass for a clean one.
        Assert.Contains(page.Requests, url => new Uri(url).AbsolutePath == "/openapi/v1.json");
        AssertOnlyTheServiceWasAsked(page);
    });

    [Fact]
    public Task The_password_flow_on_the_api_page_asks_for_no_client_id_or_secret() => VisitAsync(async page =>
    {
        await Expect(page.Authentication.GetByRole(AriaRole.Combobox, new() { Name = "Username" })).ToBeVisibleAsync();

        var clientFields = page.Authentication.GetByText(new Regex("client", RegexOptions.IgnoreCase));
        foreach (var field in await clientFields.AllAsync())
        {
            Assert.False(await field.IsVisibleAsync(), $"visible: {await field.TextContentAsync()}");
        }
    });

    private void AssertOnlyTheServiceWasAsked(ApiPage page)
    {
        var service = fixture.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.All(page.Requests, url => Assert.Equal(service, new Uri(url).GetLeftPart(UriPartial.Authority)));
    }

    /// <summary>Runs a test on a fresh visit of the page; on failure, says where a screenshot of it is.</summary>
    private async Task VisitAsync(Func<ApiPage, Task> test, [CallerMemberName] string name = "")
    {
        await using var page = await fixture.OpenApiPageAsync();
        try
        {
            await test(page);
        }
        catch
        {
            output.WriteLine($"The page at the failure: {await page.ScreenshotAsync(name)}");
            throw;
        }
    }
}
