namespace Cream.Api.Tests.Browser;

/// <summary>The service and a browser for the interactive API page.</summary>
public sealed class ApiPageFixture : BrowserFixture
{
    public Task<ApiPage> OpenApiPageAsync() => ApiPage.OpenAsync(Browser, BaseAddress);
}
