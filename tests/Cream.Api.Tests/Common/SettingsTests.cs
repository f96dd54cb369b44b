using System.ComponentModel.DataAnnotations;
using Cream.Api.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cream.Api.Tests.Common;

/// <summary>Every kind of setting a section can hold, read as the binder reads it, refused in one line that names the variable.</summary>
public sealed class SettingsTests
{
    public enum Mode
    {
        None,
        StartTls,
        SslOnConnect,
    }

    public sealed class SampleOptions
    {
        [Range(1, 60)]
        public int Minutes { get; set; } = 5;

        public bool Enabled { get; set; }

        public Mode Security { get; set; }

        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

        public Uri? Link { get; set; }

        public double Ratio { get; set; }

        public int[] Ports { get; set; } = [];

        [Required(AllowEmptyStrings = false)]
        public string Name { get; set; } = "cream";
    }

    [Theory]
    [InlineData("Minutes", "ten", "Sample__Minutes must be a whole number from 1 to 60.")]
    [InlineData("Minutes", "61", "Sample__Minutes must be a whole number from 1 to 60.")]
    [InlineData("Enabled", "yes", "Sample__Enabled must be true or false.")]
    [InlineData("Security", "Tls", "Sample__Security must be one of None, StartTls, SslOnConnect.")]
    [InlineData("Timeout", "5 minutes", "Sample__Timeout must be a duration such as 00:05:00.")]
    [InlineData("Link", "http://[::1", "Sample__Link must be a URL such as https://cream.example.com.")]
    [InlineData("Ratio", "1,5,0", "Sample__Ratio must be a number.")]
    [InlineData("Ports:1", "eighty", "Sample__Ports__1 must be a whole number.")]
    [InlineData("Name", "", "Sample__Name must not be empty.")]
    public void An_unreadable_or_out_of_range_value_is_one_line_naming_the_variable(string key, string value, string expected)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new() { [$"Sample:{key}"] = value, ["Sample:Ports:0"] = "80" }));

        Assert.Equal(expected, Assert.Single(failure.Failures));
        Assert.Equal(expected, Settings.DescribeFailure(failure));
    }

    [Fact]
    public void Readable_values_bind_as_the_binder_reads_them()
    {
        var options = Bind(new()
        {
            ["Sample:Minutes"] = "10", ["Sample:Enabled"] = "TRUE", ["Sample:Security"] = "starttls",
            ["Sample:Timeout"] = "00:01:30", ["Sample:Link"] = "https://cream.example.com/a", ["Sample:Ratio"] = "0.25",
            ["Sample:Ports:0"] = "80", ["Sample:Ports:1"] = "443",
        });

        Assert.Equal(10, options.Minutes);
        Assert.True(options.Enabled);
        Assert.Equal(Mode.StartTls, options.Security);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Timeout);
        Assert.Equal(new Uri("https://cream.example.com/a"), options.Link);
        Assert.Equal(0.25, options.Ratio);
        Assert.Equal([80, 443], options.Ports);
    }

    [Fact]
    public void Several_failures_in_one_section_are_all_named()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Sample:Minutes"] = "x", ["Sample:Enabled"] = "maybe" }));

        Assert.Equal("Sample__Minutes must be a whole number from 1 to 60. Sample__Enabled must be true or false.", Settings.DescribeFailure(failure));
    }

    private static SampleOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<SampleOptions>().BindSettings("Sample");
        return services.BuildServiceProvider().GetRequiredService<IOptions<SampleOptions>>().Value;
    }
}
