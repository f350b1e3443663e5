#include "testutil.h"
int main(void){return test_done();}
