/* The sandbox ("pause") process of the CRI tests' pod image (tests/clients/image.sh
 * pause): holds the pod's namespaces, reaps children, exits 0 on SIGINT/SIGTERM.
 * Linked statically, so the image needs nothing else. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void quit(int sig)
{
	(void)sig;
	_exit(0);
}

static void reap(int sig)
{
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(void)
{
	struct sigaction sa = {0};

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = quit;
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return 1;
	sa.sa_handler = reap;
	sa.sa_flags = SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) < 0)
		return 1;
	if (getpid() != 1)
		fprintf(stderr, "pause: not PID 1 (pid %d)\n", (int)getpid());
	for (;;)
		pause();
}
