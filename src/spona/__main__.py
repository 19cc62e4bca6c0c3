from spona.cli import main

main()
