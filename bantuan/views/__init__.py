"""The aid app's pages: programmes (`program`) and recipients, distributions and stimulus
reports (`penerima`)."""
