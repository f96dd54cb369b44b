using System.Text.Json;

namespace Cream.Api.Common;

public static class JsonSetup
{
    public const int MaxDepth = 32;

    /// <summary>snake_case bodies, as the first version's clients expect; shallow documents only.</summary>
    public static IHostApplicationBuilder AddJson(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.MaxDepth = MaxDepth;
        });
        return builder;
    }
}
