print("fairway-lab: see subcommands")
